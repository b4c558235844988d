import type { z } from 'zod';
import { RunOptions, Snippet, describeIssues, mainFileOf } from '@bpfplay/protocol';
import { checkSnippetSize } from './limits';

/**
 * What a share carries: the protocol's Snippet (all files, optional main) plus the run options
 * that differ from the defaults. `safeExtend` keeps Snippet's own checks (duplicate names, total
 * size, main file) instead of re-stating them here.
 */
export const ShareState = Snippet.safeExtend({ options: RunOptions.optional() });
export type ShareState = z.infer<typeof ShareState>;

/**
 * Options that mean "nothing special" whoever reads the link: dropping them keeps two links to the
 * same program identical (and so their ids). Numeric knobs have no protocol-wide default (the web
 * app and the agent pick their own), so callers pass theirs to `withoutDefaults`.
 */
export const NEUTRAL_OPTIONS: RunOptions = { mode: 'run', targets: ['host'] };

export type ParseStateResult =
  { ok: true; state: ShareState } | { ok: false; code: 'too-large' | 'invalid'; error: string };

/**
 * Validate untrusted data as a ShareState. The size is checked first and reported on its own, so
 * an HTTP caller can answer 413 rather than a generic 400.
 */
export function parseShareState(data: unknown): ParseStateResult {
  const files = typeof data === 'object' && data !== null ? (data as { files?: unknown }).files : undefined;
  if (Array.isArray(files) && files.every((f) => typeof (f as { content?: unknown })?.content === 'string')) {
    const size = checkSnippetSize(files as { content: string }[]);
    if (!size.ok) return { ok: false, code: 'too-large', error: size.error };
  }
  const r = ShareState.safeParse(data);
  if (!r.success) return { ok: false, code: 'invalid', error: `not a valid snippet: ${describeIssues(r.error)}` };
  return { ok: true, state: r.data };
}

function sameValue(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

/** Drop options equal to `defaults` (deep equality), so a link only carries what the author changed. */
export function withoutDefaults(
  options: RunOptions | undefined,
  defaults: Partial<RunOptions> = {},
): RunOptions | undefined {
  if (options === undefined) return undefined;
  const all: Partial<RunOptions> = { ...NEUTRAL_OPTIONS, ...defaults };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (k in all && sameValue(v, (all as Record<string, unknown>)[k])) continue;
    if (k === 'params' && Object.keys(v as object).length === 0) continue;
    if (k === 'coreTargets' && (v as unknown[]).length === 0) continue;
    out[k] = v;
  }
  return Object.keys(out).length > 0 ? (out as RunOptions) : undefined;
}

/**
 * The one spelling of a state: files in the author's order with only name+content, `main` only when
 * it differs from what would be inferred, options without neutral values. Ids and links are made
 * from this, so equal programs get equal ids.
 */
export function canonicalState(state: ShareState, defaults: Partial<RunOptions> = {}): ShareState {
  const files = state.files.map((f) => ({ name: f.name, content: f.content }));
  const out: ShareState = { files };
  if (state.main !== undefined && state.main !== mainFileOf(files)) out.main = state.main;
  const options = withoutDefaults(state.options, defaults);
  if (options !== undefined) out.options = options;
  return out;
}

/** JSON with object keys sorted at every level and `undefined` members dropped; arrays keep their order. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = sortKeys(v);
  }
  return out;
}

/** Canonical JSON of a state: the bytes that are hashed for its id and compressed into its link. */
export function canonicalJson(state: ShareState, defaults: Partial<RunOptions> = {}): string {
  return stableStringify(canonicalState(state, defaults));
}
