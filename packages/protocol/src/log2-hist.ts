/**
 * libbpf-tools' log2 histograms, as every client shows them: slot i counts the values v with
 * floor(log2(v)) == i, so slot 0 holds 0 and 1, slot 1 holds [2, 4), slot 10 holds [1K, 2K).
 * One home for the bucket ranges, their labels and the text form, for the web app and the CLI.
 */

/** [lo, hi) of slot i. */
export function log2BucketRange(i: number): [number, number] {
  return i === 0 ? [0, 2] : [2 ** i, 2 ** (i + 1)];
}

/** `[2, 4)`, `[1K, 2K)`: bpftrace's notation, powers of 1024 as K/M/G/T. */
export function log2BucketLabel(i: number): string {
  const [lo, hi] = log2BucketRange(i);
  return `[${short(lo)}, ${short(hi)})`;
}

function short(n: number): string {
  for (const [suffix, p] of [
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const)
    if (n >= p && n % p === 0) return `${n / p}${suffix}`;
  return String(n);
}

/** Units a map's values can be in (MapSnapshot.unit), as people write them. */
const UNIT_LABELS: Record<string, string> = { ns: 'ns', us: 'µs', ms: 'ms', s: 's', bytes: 'bytes' };

/** How a unit reads: `us` → `µs`; any other text (from a BPFPLAY_UNIT annotation) as it is. */
export function unitLabel(unit: string | undefined): string {
  return unit === undefined ? '' : (UNIT_LABELS[unit] ?? unit);
}

/**
 * The unit a name implies: `lat_ns`, `usecs`, `hist_ms`, `bytes`, `io_size`… or undefined. Names
 * are split at `_` and case changes, so `hists` or `status` imply nothing.
 */
export function unitFromName(name: string): string | undefined {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  for (const w of words) {
    if (w === 'ns' || w === 'nsec' || w === 'nsecs') return 'ns';
    if (w === 'us' || w === 'usec' || w === 'usecs') return 'us';
    if (w === 'ms' || w === 'msec' || w === 'msecs') return 'ms';
    if (w === 'bytes' || w === 'byte' || w === 'size' || w === 'sz' || w === 'len') return 'bytes';
  }
  return undefined;
}

/** The buckets worth showing: first to last non-zero, or null when every bucket is zero. */
export function occupiedBuckets(counts: readonly number[]): [number, number] | null {
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

const BAR = 52;

/**
 * A histogram as bpftrace prints `@name = hist(...)`, to paste into a terminal, an issue or a chat:
 *
 *     @hists (µs):
 *     [4, 8)               12 |@@@@                                                |
 *     [8, 16)             145 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
 */
export function log2HistText(name: string, counts: readonly number[], unit?: string): string {
  const head = `@${name}${unit ? ` (${unitLabel(unit)})` : ''}:`;
  const range = occupiedBuckets(counts);
  if (!range) return `${head}\n(all buckets are zero)\n`;
  const max = Math.max(...counts);
  const lines = [head];
  for (let i = range[0]; i <= range[1]; i++) {
    const n = counts[i] ?? 0;
    const bar = '@'.repeat(Math.round((BAR * n) / max));
    lines.push(`${log2BucketLabel(i).padEnd(16)} ${String(n).padStart(8)} |${bar.padEnd(BAR)}|`);
  }
  return `${lines.join('\n')}\n`;
}
