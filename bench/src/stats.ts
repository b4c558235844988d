/** Order statistics for repeated measurements: this machine is shared, so medians, never means. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export const median = (xs: readonly number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const ms = (x: number): string => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms` : 'n/a');
export const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
export const rate = (x: number): string =>
  !Number.isFinite(x)
    ? 'n/a'
    : x >= 1e6
      ? `${(x / 1e6).toFixed(2)} M/s`
      : x >= 1e3
        ? `${(x / 1e3).toFixed(0)} k/s`
        : `${x.toFixed(0)} /s`;
export const mib = (bytes: number): string =>
  Number.isFinite(bytes) ? `${(bytes / (1 << 20)).toFixed(0)} MiB` : 'n/a';

/** "median (min–max, n)" so the spread of a noisy figure is visible next to it. */
export function spread(xs: readonly number[], fmt: (x: number) => string): string {
  if (!xs.length) return 'n/a';
  return `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}, n=${xs.length})`;
}

/** A time target: `maxMs`, written as `label`; a relative one (× a reference) says a miss as a ratio. */
export interface TimeTarget {
  label: string;
  maxMs: number;
  relative?: boolean;
}

/**
 * A figure's row for a measured time against a reference and a target: the spread, the median's
 * ratio to the reference, the target, whether the median meets it (and by how much it misses).
 */
export function targetRow(name: string, samples: readonly number[], refMs: number, t: TimeTarget, detail: string) {
  const med = median(samples);
  const miss = t.relative ? `no (${ratio(med, t.maxMs)} of target)` : `no (+${ms(med - t.maxMs)})`;
  return [name, spread(samples, ms), ratio(med, refMs), t.label, med <= t.maxMs ? 'yes' : miss, detail];
}
