import type { LspPosition, LspRange } from '@bpfplay/protocol';
import { displayPath } from '../compile/paths.js';
import { SANDBOX } from '../compile/toolchain.js';
import { MAIN_URI_PATH } from './layout.js';

/**
 * The editor's files as the agent keeps them for clangd: text and version per file, the main file's
 * name, and the mapping between snippet names and the paths clangd sees. The agent keeps the text
 * itself so that a clangd started later (after an idle stop, a crash, or a hand-over to another
 * session) is given the same documents without asking the browser again.
 */
export class Documents {
  private readonly texts = new Map<string, { text: string; version: number }>();
  main: string | undefined;

  /** Replaces every document (lsp-open); versions start again at 0. */
  reset(files: readonly { name: string; content: string }[], main: string): void {
    this.texts.clear();
    for (const f of files) if (isSource(f.name)) this.texts.set(f.name, { text: f.content, version: 0 });
    this.main = main;
  }

  get(name: string): { text: string; version: number } | undefined {
    return this.texts.get(name);
  }

  names(): string[] {
    return [...this.texts.keys()];
  }

  /** Applies LSP incremental changes; throws with a reason when a range is outside the text. */
  change(name: string, version: number, changes: readonly { range?: LspRange | undefined; text: string }[]): void {
    const doc = this.texts.get(name);
    if (!doc) throw new Error(`${name} is not an open document; send lsp-open first`);
    let text = doc.text;
    for (const c of changes) {
      if (!c.range) {
        text = c.text;
        continue;
      }
      const start = offsetAt(text, c.range.start);
      const end = offsetAt(text, c.range.end);
      if (start === undefined || end === undefined || end < start)
        throw new Error(
          `change to ${name} at ${c.range.start.line + 1}:${c.range.start.character + 1} is outside the text`,
        );
      text = text.slice(0, start) + c.text + text.slice(end);
    }
    this.texts.set(name, { text, version });
  }

  /** The uri clangd knows a snippet file by: the main file under its fixed name (layout.ts), others as /src/<name>. */
  uriOf(name: string): string {
    return `file://${name === this.main ? MAIN_URI_PATH : `${SANDBOX.src}/${name}`}`;
  }

  /**
   * What a uri from clangd is to the user: a snippet file (by name), a header shown read-only
   * (`<bpfplay>/vmlinux.h`, `/usr/include/bpf/bpf_helper_defs.h`), or nothing we can show.
   */
  fileOf(uri: string): { file: string; header: boolean } | undefined {
    if (!uri.startsWith('file://')) return undefined;
    const path = decodeURIComponent(uri.slice('file://'.length));
    if (path === MAIN_URI_PATH) return this.main !== undefined ? { file: this.main, header: false } : undefined;
    const shown = displayPath(path);
    if (this.texts.has(shown)) return { file: shown, header: false };
    if (/^(<bpfplay>\/|\/usr\/).+\.h$/.test(shown)) return { file: shown, header: true };
    return undefined;
  }
}

/** clangd parses C sources and headers; .txt/.md/.json files of a snippet are not its business. */
export function isSource(name: string): boolean {
  return /\.(c|h)$/.test(name);
}

/** Offset of an LSP position (0-based line, UTF-16 character) in `text`; undefined past the end. */
export function offsetAt(text: string, pos: LspPosition): number | undefined {
  let off = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return undefined;
    off = nl + 1;
  }
  const eol = text.indexOf('\n', off);
  const lineEnd = eol < 0 ? text.length : eol;
  // A character past the end of the line means the end of the line, as editors send after trimming.
  return Math.min(off + pos.character, lineEnd);
}

/** The text of line `line` (0-based) up to `character`. */
export function linePrefix(text: string, pos: LspPosition): string {
  const start = offsetAt(text, { line: pos.line, character: 0 });
  const at = offsetAt(text, pos);
  if (start === undefined || at === undefined) return '';
  return text.slice(start, at);
}
