import { z } from 'zod';
import { Diagnostic, FileName, Snippet } from './common';
import { frame } from './frame';

/**
 * Editor intelligence over the agent's WebSocket: the agent runs clangd (in the compile sandbox,
 * with the compile's flags) and speaks a typed subset of the Language Server Protocol to the
 * browser. Positions and ranges are LSP's: 0-based lines, UTF-16 code units. Documents are named
 * by snippet file name; a location in a header the user cannot edit (vmlinux.h, libbpf's headers)
 * carries `header: true` and its text is fetched with a `header` request, for a read-only view.
 */

const MAX_LINE = 1_000_000;

export const LspPosition = z.object({
  line: z.number().int().min(0).max(MAX_LINE),
  character: z.number().int().min(0).max(MAX_LINE),
});
export type LspPosition = z.infer<typeof LspPosition>;

export const LspRange = z.object({ start: LspPosition, end: LspPosition });
export type LspRange = z.infer<typeof LspRange>;

/** A header path as the agent names it: `<bpfplay>/vmlinux.h`, `/usr/include/bpf/bpf_helper_defs.h`. */
export const HeaderPath = z
  .string()
  .min(1)
  .max(256)
  .regex(/^(<bpfplay>\/|\/usr\/)[A-Za-z0-9_./+-]+\.h$/, 'a header path is <bpfplay>/NAME.h or /usr/...h')
  .refine((p) => !p.includes('..'), 'header paths may not contain ".."');

export const LspLocation = z.object({
  /** A snippet file name, or a HeaderPath when `header` is set. */
  file: z.string().min(1).max(256),
  range: LspRange,
  header: z.boolean(),
});
export type LspLocation = z.infer<typeof LspLocation>;

export const LspTextEdit = z.object({ range: LspRange, newText: z.string() });
export type LspTextEdit = z.infer<typeof LspTextEdit>;

// ---- client → agent ----

/** The editor's documents: sent when the socket is ready and whenever the set of files or their text changed from outside typing. */
export const LspOpenMessage = z.object({ type: z.literal('lsp-open'), snippet: Snippet });

/** Typing in one file: LSP's incremental changes (a change without `range` replaces the text). */
export const LspChangeMessage = z.object({
  type: z.literal('lsp-change'),
  file: FileName,
  version: z.number().int().nonnegative(),
  changes: z
    .array(z.object({ range: LspRange.optional(), text: z.string().max(256 * 1024) }))
    .min(1)
    .max(256),
});

const at = { file: FileName, position: LspPosition };

export const LspRequest = z.discriminatedUnion('method', [
  /** `trigger`: the character that opened the list (`.`, `>`, `"`, `/`), if any. */
  z.object({ method: z.literal('completion'), ...at, trigger: z.string().max(1).optional() }),
  z.object({ method: z.literal('hover'), ...at }),
  z.object({ method: z.literal('signatureHelp'), ...at, trigger: z.string().max(1).optional() }),
  z.object({ method: z.literal('definition'), ...at }),
  /** Quick fixes clang offers for the diagnostics in `range`. */
  z.object({ method: z.literal('codeAction'), file: FileName, range: LspRange }),
  /** The text of a header a location pointed into, for a read-only view. */
  z.object({ method: z.literal('header'), path: HeaderPath }),
]);
export type LspRequest = z.infer<typeof LspRequest>;
export type LspMethod = LspRequest['method'];

/** Client-chosen id of a request, echoed in its `lsp-response`. */
const RequestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const LspRequestMessage = z.object({ type: z.literal('lsp-request'), id: RequestId, request: LspRequest });
export const LspCancelMessage = z.object({ type: z.literal('lsp-cancel'), id: RequestId });

/**
 * Compile as you type: the agent compiles the snippet as a Run would (same cache key), so a Run
 * that follows is an object-cache hit. The next `check` of the session cancels this one.
 */
export const CheckMessage = z.object({
  type: z.literal('check'),
  checkId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
  snippet: Snippet,
});

export type LspOpenMessage = z.infer<typeof LspOpenMessage>;
export type LspChangeMessage = z.infer<typeof LspChangeMessage>;
export type LspRequestMessage = z.infer<typeof LspRequestMessage>;
export type CheckMessage = z.infer<typeof CheckMessage>;

// ---- agent → client ----

export const CompletionKind = z.enum([
  'text',
  'function',
  'field',
  'variable',
  'struct',
  'enum',
  'enumMember',
  'keyword',
  'macro',
  'type',
  'file',
  'section',
  'snippet',
  'value',
]);
export type CompletionKind = z.infer<typeof CompletionKind>;

export const CompletionItem = z.object({
  label: z.string(),
  kind: CompletionKind,
  /** Type or signature, shown beside the label. */
  detail: z.string().optional(),
  /** Markdown. */
  documentation: z.string().optional(),
  insertText: z.string(),
  /** `insertText` is a snippet with $1 placeholders. */
  snippet: z.boolean().optional(),
  /** What the insert replaces (the word typed so far). */
  range: LspRange.optional(),
  filterText: z.string().optional(),
  sortText: z.string().optional(),
  /** Other edits (an `#include` clangd adds). */
  additionalEdits: z.array(LspTextEdit).optional(),
});
export type CompletionItem = z.infer<typeof CompletionItem>;

export const SignatureInformation = z.object({
  label: z.string(),
  documentation: z.string().optional(),
  /** Each parameter as [start, end) offsets into `label`. */
  parameters: z.array(z.tuple([z.number().int(), z.number().int()])),
});

export const CodeAction = z.object({
  title: z.string(),
  preferred: z.boolean().optional(),
  edits: z.array(z.object({ file: FileName, edits: z.array(LspTextEdit) })),
});
export type CodeAction = z.infer<typeof CodeAction>;

export const LspResult = z.discriminatedUnion('method', [
  z.object({ method: z.literal('completion'), isIncomplete: z.boolean(), items: z.array(CompletionItem) }),
  /** `contents` is Markdown; empty when there is nothing to show. */
  z.object({ method: z.literal('hover'), contents: z.string(), range: LspRange.optional() }),
  z.object({
    method: z.literal('signatureHelp'),
    signatures: z.array(SignatureInformation),
    activeSignature: z.number().int(),
    activeParameter: z.number().int(),
  }),
  z.object({ method: z.literal('definition'), locations: z.array(LspLocation) }),
  z.object({ method: z.literal('codeAction'), actions: z.array(CodeAction) }),
  z.object({ method: z.literal('header'), path: z.string(), text: z.string() }),
]);
export type LspResult = z.infer<typeof LspResult>;
export type LspResultOf<M extends LspMethod> = Extract<LspResult, { method: M }>;

/** Answer to one `lsp-request`: a result, or an error in words (the editor shows nothing and logs it). */
export const LspResponseMessage = frame('lsp-response', {
  id: z.number().int(),
  result: LspResult.optional(),
  error: z.string().optional(),
});

export const LspDiagnostic = z.object({
  range: LspRange,
  severity: z.enum(['error', 'warning', 'info', 'hint']),
  message: z.string(),
  /** The -W flag or clang's diagnostic name. */
  code: z.string().optional(),
});
export type LspDiagnostic = z.infer<typeof LspDiagnostic>;

/** clangd's diagnostics of one file as it was at `version` (the editor drops those of older text). */
export const LspDiagnosticsMessage = frame('lsp-diagnostics', {
  file: z.string(),
  version: z.number().int().optional(),
  diagnostics: z.array(LspDiagnostic),
});

/**
 * Where the session's clangd is: `starting` (no answers yet), `ready`, `stopped` (idle or given
 * to another session; it starts again at the next edit), `unavailable` (with the reason).
 */
export const LspStatusMessage = frame('lsp-status', {
  state: z.enum(['starting', 'ready', 'stopped', 'unavailable']),
  message: z.string().optional(),
});

export const CheckedMessage = frame('checked', {
  checkId: z.string(),
  ok: z.boolean(),
  diagnostics: z.array(Diagnostic),
  durationMs: z.number(),
  cache: z.enum(['hit', 'pch', 'cold']),
});
