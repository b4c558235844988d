import type { CoreRelocation } from '@bpfplay/protocol';

/** The agent's name for the running kernel's own column in CO-RE results. */
export const THIS_KERNEL = 'this kernel';

/** Result columns in a stable order: this kernel first, then the other targets as the agent reported them. */
export function coreColumns(relos: readonly CoreRelocation[]): string[] {
  const seen = new Set<string>();
  for (const r of relos) for (const x of r.results) seen.add(x.target);
  const rest = [...seen].filter((t) => t !== THIS_KERNEL);
  return seen.has(THIS_KERNEL) ? [THIS_KERNEL, ...rest] : rest;
}

export interface CoreTargetSummary {
  target: string;
  total: number;
  /** Unresolved and not poisoned: the load fails there. */
  failing: number;
  /**
   * Unresolved but poisoned: libbpf turns the instruction into a trap that fails only if reached,
   * which is how a branch behind bpf_core_field_exists() for another kernel's field stays loadable.
   */
  poisoned: number;
}

/** Per target: how many relocations were checked there and how many fail (the one-line answer). */
export function coreSummary(relos: readonly CoreRelocation[], columns: readonly string[]): CoreTargetSummary[] {
  return columns.map((target) => {
    let total = 0;
    let failing = 0;
    let poisoned = 0;
    for (const r of relos) {
      const x = r.results.find((y) => y.target === target);
      if (!x) continue;
      total++;
      if (!x.ok && x.poisoned) poisoned++;
      else if (!x.ok) failing++;
    }
    return { target, total, failing, poisoned };
  });
}

/** The one-line verdict for a target, e.g. "debian-6.1-cloud: 1 of 7 fail, 1 poisoned". */
export function summaryText(s: CoreTargetSummary): string {
  const head = s.failing
    ? `${s.failing} of ${s.total} fail`
    : s.poisoned
      ? `${s.total - s.poisoned} of ${s.total} resolve`
      : `all ${s.total} resolve`;
  return `${s.target}: ${head}${s.poisoned ? `, ${s.poisoned} poisoned (fails only if reached)` : ''}`;
}

/** Toggle a target in the picked list, keeping the protocol's cap and the order picked. */
export function toggleTarget(
  selected: readonly string[] | undefined,
  name: string,
  on: boolean,
  max: number,
): string[] {
  const cur = (selected ?? []).filter((t) => t !== name);
  return on ? [...cur, name].slice(-max) : cur;
}
