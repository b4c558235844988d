import type {
  CodeAction,
  CompletionItem,
  CompletionKind,
  LspDiagnostic,
  LspLocation,
  LspRange,
  LspResultOf,
  LspTextEdit,
} from '@bpfplay/protocol';
import type { RawDiagnostic } from './clangd.js';
import type { Documents } from './documents.js';
import { MAX_GLOBAL_ITEMS } from './layout.js';

/**
 * clangd's LSP answers → the protocol's typed subset, with every uri turned into a name the user
 * knows (documents.ts). Whatever points at a file the editor cannot show is dropped.
 */

type Markup = string | { kind?: string; value: string } | undefined;

const text = (m: Markup): string | undefined => (typeof m === 'string' ? m : m?.value) || undefined;

/** LSP CompletionItemKind numbers. */
const KINDS: Record<number, CompletionKind> = {
  1: 'text',
  2: 'function',
  3: 'function',
  4: 'function',
  5: 'field',
  6: 'variable',
  7: 'struct',
  8: 'type',
  9: 'file',
  10: 'field',
  12: 'value',
  13: 'enum',
  14: 'keyword',
  15: 'snippet',
  17: 'file',
  20: 'enumMember',
  21: 'variable',
  22: 'struct',
  25: 'type',
};

interface RawCompletionItem {
  label: string;
  kind?: number;
  detail?: string;
  documentation?: Markup;
  insertText?: string;
  insertTextFormat?: number;
  textEdit?: { range: LspRange; newText: string };
  filterText?: string;
  sortText?: string;
  additionalTextEdits?: LspTextEdit[];
}

export function completionResult(
  raw: { isIncomplete?: boolean; items?: RawCompletionItem[] } | RawCompletionItem[] | null,
): LspResultOf<'completion'> {
  const list = Array.isArray(raw) ? { items: raw } : (raw ?? { items: [] });
  return {
    method: 'completion',
    isIncomplete: !Array.isArray(raw) && raw?.isIncomplete === true,
    items: (list.items ?? []).map(completionItem),
  };
}

/**
 * A struct's members (after `->` or `.`) all go to the editor; any other list is cut to
 * MAX_GLOBAL_ITEMS and marked incomplete, so the editor asks again as the user types.
 */
export function capCompletion(list: LspResultOf<'completion'>, linePrefix: string): LspResultOf<'completion'> {
  const member = /(->|\.)\s*\w*$/.test(linePrefix);
  if (member || list.items.length <= MAX_GLOBAL_ITEMS) return list;
  return { ...list, isIncomplete: true, items: list.items.slice(0, MAX_GLOBAL_ITEMS) };
}

function completionItem(r: RawCompletionItem): CompletionItem {
  // clangd labels functions with their parameters ("bpf_ktime_get_ns()"); the name is filterText.
  const label = r.label.trim();
  const insertText = r.textEdit?.newText ?? r.insertText ?? label;
  const kind = /^#?define\b/.test(r.detail ?? '') ? 'macro' : (KINDS[r.kind ?? 1] ?? 'text');
  const doc = text(r.documentation);
  return {
    label,
    kind: kind === 'text' && isMacroName(r) ? 'macro' : kind,
    ...(r.detail ? { detail: r.detail } : {}),
    ...(doc ? { documentation: doc } : {}),
    insertText,
    ...(r.insertTextFormat === 2 ? { snippet: true } : {}),
    ...(r.textEdit ? { range: r.textEdit.range } : {}),
    ...(r.filterText ? { filterText: r.filterText } : {}),
    ...(r.sortText ? { sortText: r.sortText } : {}),
    ...(r.additionalTextEdits?.length ? { additionalEdits: r.additionalTextEdits } : {}),
  };
}

/** clangd reports macros as plain text items; an ALL_CAPS name (BPF_CORE_READ, SEC) is one. */
function isMacroName(r: RawCompletionItem): boolean {
  return /^[A-Z_][A-Z0-9_]*(\(|$)/.test(r.label.trim());
}

export function hoverResult(raw: { contents?: Markup | Markup[]; range?: LspRange } | null): LspResultOf<'hover'> {
  const parts = Array.isArray(raw?.contents) ? raw.contents : [raw?.contents];
  const contents = parts.map(text).filter(Boolean).join('\n\n');
  return { method: 'hover', contents, ...(raw?.range ? { range: raw.range } : {}) };
}

interface RawSignature {
  label: string;
  documentation?: Markup;
  parameters?: { label: string | [number, number] }[];
}

export function signatureResult(
  raw: { signatures?: RawSignature[]; activeSignature?: number; activeParameter?: number } | null,
): LspResultOf<'signatureHelp'> {
  return {
    method: 'signatureHelp',
    signatures: (raw?.signatures ?? []).map((s) => {
      const doc = text(s.documentation);
      let from = 0;
      return {
        label: s.label,
        ...(doc ? { documentation: doc } : {}),
        parameters: (s.parameters ?? []).map((p): [number, number] => {
          if (Array.isArray(p.label)) return p.label;
          const at = s.label.indexOf(p.label, from);
          from = at < 0 ? from : at + p.label.length;
          return at < 0 ? [0, 0] : [at, at + p.label.length];
        }),
      };
    }),
    activeSignature: raw?.activeSignature ?? 0,
    activeParameter: raw?.activeParameter ?? 0,
  };
}

type RawLocation = { uri: string; range: LspRange } | { targetUri: string; targetSelectionRange: LspRange };

export function definitionResult(raw: RawLocation | RawLocation[] | null, docs: Documents): LspResultOf<'definition'> {
  const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  const locations: LspLocation[] = [];
  for (const l of list) {
    const uri = 'uri' in l ? l.uri : l.targetUri;
    const range = 'uri' in l ? l.range : l.targetSelectionRange;
    const f = docs.fileOf(uri);
    if (f) locations.push({ file: f.file, header: f.header, range });
  }
  return { method: 'definition', locations };
}

interface RawCodeAction {
  title: string;
  isPreferred?: boolean;
  edit?: {
    changes?: Record<string, LspTextEdit[]>;
    documentChanges?: { textDocument: { uri: string }; edits: LspTextEdit[] }[];
  };
}

export function codeActionResult(raw: (RawCodeAction | { command: string })[] | null, docs: Documents) {
  const actions: CodeAction[] = [];
  for (const a of raw ?? []) {
    if (!('title' in a) || !a.edit) continue;
    const byUri: [string, LspTextEdit[]][] = [
      ...Object.entries(a.edit.changes ?? {}),
      ...(a.edit.documentChanges ?? []).map((d): [string, LspTextEdit[]] => [d.textDocument.uri, d.edits]),
    ];
    const edits: CodeAction['edits'] = [];
    let outside = false;
    for (const [uri, e] of byUri) {
      const f = docs.fileOf(uri);
      if (!f || f.header) outside = true;
      else edits.push({ file: f.file, edits: e });
    }
    // A fix that would also edit vmlinux.h or a system header cannot be applied here.
    if (outside || !edits.length) continue;
    actions.push({ title: a.title, ...(a.isPreferred ? { preferred: true } : {}), edits });
  }
  return { method: 'codeAction' as const, actions };
}

const SEVERITY: Record<number, LspDiagnostic['severity']> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

export function diagnostic(d: RawDiagnostic): LspDiagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity ?? 1] ?? 'error',
    message: d.message,
    ...(d.code !== undefined ? { code: String(d.code) } : {}),
  };
}

/** Do two ranges share a line (the diagnostics a quick-fix request is about)? */
export function overlaps(a: LspRange, b: LspRange): boolean {
  return !(a.end.line < b.start.line || b.end.line < a.start.line);
}
