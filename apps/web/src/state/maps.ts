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

/** Bucket i's range as text: 0–1, 2–3, 4–7, 8–15, 1K–2K-1 … */
export function bucketLabel(i: number): string {
  const lo = i === 0 ? 0 : 2 ** i;
  const hi = 2 ** (i + 1) - 1;
  return `${compact(lo)}–${compact(hi)}`;
}

function compact(n: number): string {
  if (n >= 2 ** 30 && n % 2 ** 30 === 0) return `${n / 2 ** 30}G`;
  if (n >= 2 ** 20 && n % 2 ** 20 === 0) return `${n / 2 ** 20}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

/** The range of buckets worth drawing: from the first non-zero to the last non-zero one. */
export function occupiedRange(counts: readonly number[]): [number, number] | null {
  let lo = -1;
  let hi = -1;
  counts.forEach((c, i) => {
    if (c > 0) {
      if (lo < 0) lo = i;
      hi = i;
    }
  });
  return lo < 0 ? null : [lo, hi];
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
