import type { Value } from '@bpfplay/protocol';

/** 0.18 s, 12 ms, 3.4 s, 2 min 5 s: milliseconds the way the status line shows them. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Event/printk timestamps are milliseconds since attach: show them as seconds with µs-ish resolution. */
export function formatTimestamp(tMs: number): string {
  return (tMs / 1000).toFixed(6);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Between the frames of a stack in an events cell (innermost first); the record detail lists them one a line. */
export const FRAME_SEPARATOR = ' ← ';

/** One decoded BTF value as a single line of text (nested structs as `{a: 1, b: 2}`). */
export function formatValue(v: Value | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if ('$hex' in v && typeof v.$hex === 'string')
    return `0x${v.$hex}${typeof v.$error === 'string' ? ` (${v.$error})` : ''}`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}: ${formatValue(x)}`)
    .join(', ')}}`;
}

export function formatCount(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}
