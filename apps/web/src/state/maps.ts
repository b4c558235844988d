import type { MapSnapshot, Value } from '@bpfplay/protocol';
import { formatValue } from './format';

/** A BTF integer as a number: u64 values above 2^53 arrive as decimal strings. */
export function numberOf(v: Value | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return null;
}

/** Samples of a `counters` map: each key's numeric value, keyed by the key's text. */
export function counterSamples(snap: MapSnapshot): { key: string; v: number }[] {
  const out: { key: string; v: number }[] = [];
  for (const e of snap.entries) {
    const v = numberOf(e.value);
    if (v !== null) out.push({ key: formatValue(e.key), v });
  }
  return out;
}

export interface Log2Hist {
  /** The map key the histogram belongs to (maps of `struct hist` per pid/disk), or null for one histogram. */
  label: string | null;
  /** counts[i] is the number of values v with 2^i ≤ v < 2^(i+1) (libbpf-tools' bucket i; 0 lands in bucket 0). */
  counts: number[];
}

function slotsOf(v: Value): number[] | null {
  if (Array.isArray(v)) {
    const nums = v.map((x) => numberOf(x));
    return nums.every((x) => x !== null) ? (nums as number[]) : null;
  }
  if (v !== null && typeof v === 'object') {
    // `struct hist { __u32 slots[N]; ... }`: the first numeric array field is the histogram.
    for (const x of Object.values(v)) {
      const s = x === null ? null : slotsOf(x);
      if (s && s.length > 1) return s;
    }
  }
  return null;
}

/**
 * The histograms a `log2-hist` snapshot holds. Two layouts occur in real programs: an array map
 * indexed by bucket (key = slot, value = count), and a map whose values are `struct hist` with a
 * `slots[]` array (one histogram per key).
 */
export function log2Histograms(snap: MapSnapshot): Log2Hist[] {
  const byIndex: number[] = [];
  let indexed = snap.entries.length > 0;
  for (const e of snap.entries) {
    const k = numberOf(e.key);
    const v = numberOf(e.value);
    if (k === null || v === null || k < 0 || k > 127 || !Number.isInteger(k)) {
      indexed = false;
      break;
    }
    byIndex[k] = (byIndex[k] ?? 0) + v;
  }
  if (indexed) return [{ label: null, counts: Array.from(byIndex, (x) => x ?? 0) }];
  const out: Log2Hist[] = [];
  for (const e of snap.entries) {
    const s = slotsOf(e.value);
    if (s) out.push({ label: snap.entries.length === 1 ? null : formatValue(e.key), counts: s });
  }
  return out;
}

/**
 * A y-axis tick as short text: 950, 12K, 4.2M, 1.5G. Full numbers ("4,000,000") do not fit the
 * axis and got cut to "000,000"; the exact values are in the table below the chart.
 */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  for (const [suffix, p] of [
    ['T', 1e12],
    ['G', 1e9],
    ['M', 1e6],
    ['K', 1e3],
  ] as const) {
    if (a >= p) {
      const v = n / p;
      return `${Number.isInteger(v) || Math.abs(v) >= 100 ? Math.round(v) : Number(v.toFixed(1))}${suffix}`;
    }
  }
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
}

/** The keys worth charting: the `n` with the largest latest value (a chart of 80 lines says nothing). */
export function topSeries<
  T extends { toArray(): { v: number }[]; at(i: number): { v: number } | undefined; length: number },
>(series: Map<string, T>, n: number): string[] {
  return [...series.entries()]
    .map(([k, r]) => [k, r.at(r.length - 1)?.v ?? 0] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k]) => k);
}
