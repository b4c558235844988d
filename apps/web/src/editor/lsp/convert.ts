import type { CompletionKind, LspPosition, LspRange } from '@bpfplay/protocol';
import type { Monaco } from '../monaco';

/**
 * Between the protocol's LSP positions (0-based lines, UTF-16 characters) and Monaco's (1-based
 * lines and columns, also UTF-16): no monaco import here, so the arithmetic is unit-tested in Node.
 */
export interface MonacoPosition {
  lineNumber: number;
  column: number;
}
export interface MonacoRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

export const toLspPosition = (p: MonacoPosition): LspPosition => ({ line: p.lineNumber - 1, character: p.column - 1 });

export const toLspRange = (r: MonacoRange): LspRange => ({
  start: { line: r.startLineNumber - 1, character: r.startColumn - 1 },
  end: { line: r.endLineNumber - 1, character: r.endColumn - 1 },
});

export const toMonacoRange = (r: LspRange): MonacoRange => ({
  startLineNumber: r.start.line + 1,
  startColumn: r.start.character + 1,
  endLineNumber: r.end.line + 1,
  endColumn: r.end.character + 1,
});

/** Monaco's CompletionItemKind for the protocol's kinds. */
export function completionKind(m: Monaco, k: CompletionKind): number {
  const K = m.languages.CompletionItemKind;
  const map: Record<CompletionKind, number> = {
    text: K.Text,
    function: K.Function,
    field: K.Field,
    variable: K.Variable,
    struct: K.Struct,
    enum: K.Enum,
    enumMember: K.EnumMember,
    keyword: K.Keyword,
    macro: K.Constant,
    type: K.TypeParameter,
    file: K.File,
    section: K.Event,
    snippet: K.Snippet,
    value: K.Value,
  };
  return map[k];
}

/** The read-only view of a header: `bpfplay-header:/<bpfplay>/vmlinux.h`. */
export const HEADER_SCHEME = 'bpfplay-header';
