import {
  HOST_TARGET,
  type CoreRelocation,
  type KernelInfo,
  type RunState,
  type ServerMessage,
  type ServerMessageOf,
  type TargetOutcome,
  type VerifierStats,
} from '@bpfplay/protocol';
import type { Hello } from './socket/connectionState';

type M<T extends ServerMessage['type']> = ServerMessageOf<T>;

/** The protocol allows this many run targets (RunOptions.targets). */
export const MAX_RUN_TARGETS = 8;

/** What the CO-RE report calls the host in its results (the agent's own kernel). */
export const HOST_CORE_NAME = 'this kernel';

/** A run target the agent offers, for the picker: the host, or a kernel of the matrix. */
export interface RunTargetChoice {
  name: string;
  /** e.g. `6.18.0 (this machine)` or `6.1.0-50-cloud-amd64, microVM (tcg)`. */
  detail: string;
  kernel?: KernelInfo;
}

/** The targets `hello.capabilities.runTargets` names, host first, each with what it is. */
export function runTargetChoices(hello: Hello | null): RunTargetChoice[] {
  if (!hello) return [];
  const caps = hello.capabilities;
  return caps.runTargets.map((name) => {
    if (name === HOST_TARGET) return { name, detail: `${caps.kernelRelease} (this machine)` };
    const kernel = caps.kernels?.find((k) => k.name === name);
    return kernel
      ? { name, kernel, detail: `${kernel.release}, microVM (${kernel.accel})` }
      : { name, detail: 'microVM' };
  });
}

/** Pick or unpick one target, in the agent's order, at most the protocol's number. */
export function toggleRunTarget(
  picked: readonly string[],
  name: string,
  on: boolean,
  order: readonly string[],
): string[] {
  const set = new Set(picked.filter((t) => t !== name));
  if (on) set.add(name);
  const known = order.filter((t) => set.has(t));
  const unknown = [...set].filter((t) => !order.includes(t));
  return [...known, ...unknown].slice(0, MAX_RUN_TARGETS);
}

/** The targets the picker shows ticked: the snippet's picks, else the agent's default (the host, if offered). */
export function pickedRunTargets(saved: readonly string[] | undefined, hello: Hello | null): string[] {
  const offered = hello?.capabilities.runTargets ?? [];
  if (saved && saved.length) return saved.filter((t) => !hello || offered.includes(t));
  return offered.includes(HOST_TARGET) ? [HOST_TARGET] : offered.slice(0, 1);
}

/** The picker's state and its one action, for the page (the snippet keeps the picks). */
export function runTargetsProps(
  saved: readonly string[] | undefined,
  hello: Hello | null,
  set: (targets: string[]) => void,
): { picked: string[]; onToggle(name: string, on: boolean): void } {
  const picked = pickedRunTargets(saved, hello);
  const order = hello?.capabilities.runTargets ?? [];
  return { picked, onToggle: (name, on) => set(toggleRunTarget(picked, name, on, order)) };
}

/** The agent offers kernels besides the host: the Kernels pane is worth a tab. */
export function offersKernels(hello: Hello | null): boolean {
  return (hello?.capabilities.runTargets ?? []).some((t) => t !== HOST_TARGET);
}

/**
 * What a Run sends as `targets`: the picks the agent offers, or nothing (the agent's default, the
 * host, with unlabelled frames as before) when none is picked or the host alone is.
 */
export function runTargetsOption(picked: readonly string[] | undefined, hello: Hello | null): string[] | undefined {
  const offered = hello?.capabilities.runTargets ?? [];
  const usable = (picked ?? []).filter((t) => offered.includes(t)).slice(0, MAX_RUN_TARGETS);
  if (usable.length === 0) return undefined;
  if (usable.length === 1 && usable[0] === HOST_TARGET) return undefined;
  return usable;
}

/** One target of a run, as its labelled frames told it. */
export interface TargetView {
  name: string;
  state: RunState | 'sent';
  /** The last status message (e.g. "booting the 6.1 guest (6.1.0-…)"). */
  stateMessage?: string;
  refused: M<'refused'> | null;
  /** One per program; a re-sent log replaces the earlier one. */
  verifier: M<'verifier'>[];
  loaded: M<'loaded'> | null;
  attached: M<'attached'> | null;
  warnings: string[];
  /** How the target ended (its own `stopped`, or the run's final one's `targets`). */
  outcome: Omit<TargetOutcome, 'target'> | null;
}

export function newTargetView(name: string): TargetView {
  return {
    name,
    state: 'sent',
    refused: null,
    verifier: [],
    loaded: null,
    attached: null,
    warnings: [],
    outcome: null,
  };
}

/** Fold a frame labelled with this target into its view. */
export function targetReducer(v: TargetView, m: ServerMessage): TargetView {
  switch (m.type) {
    case 'status':
      return { ...v, state: m.state, ...(m.message !== undefined ? { stateMessage: m.message } : {}) };
    case 'refused':
      return { ...v, refused: m };
    case 'verifier':
      return { ...v, verifier: [...v.verifier.filter((x) => x.program !== m.program), m] };
    case 'loaded':
      return { ...v, loaded: m };
    case 'attached':
      return { ...v, attached: m };
    case 'warning':
      return { ...v, warnings: [...v.warnings, m.program ? `${m.program}: ${m.message}` : m.message] };
    case 'stopped':
      return { ...v, state: 'stopped', outcome: { reason: m.reason, message: m.message, stats: m.stats } };
    default:
      return v;
  }
}

/** The run's final `stopped` says how each target ended: targets still open take it from there. */
export function applyOutcomes(views: Record<string, TargetView>, outcomes: readonly TargetOutcome[]) {
  const out = { ...views };
  for (const o of outcomes) {
    const v = out[o.target] ?? newTargetView(o.target);
    out[o.target] = {
      ...v,
      state: 'stopped',
      outcome: v.outcome ?? { reason: o.reason, message: o.message, stats: o.stats },
    };
  }
  return out;
}

/** The verifier's work summed over a target's programs, for its column. */
export function verifierSummary(v: TargetView): {
  ok: boolean | null;
  programs: number;
  insns: number;
  states: number;
} {
  if (v.verifier.length === 0 && !v.loaded) return { ok: null, programs: 0, insns: 0, states: 0 };
  const stats: VerifierStats[] = v.verifier.map((x) => x.stats ?? {});
  return {
    ok: v.verifier.every((x) => x.ok) && (v.loaded?.programs.some((p) => p.loaded) ?? v.verifier.length > 0),
    programs: v.loaded?.programs.filter((p) => p.loaded).length ?? v.verifier.filter((x) => x.ok).length,
    insns: stats.reduce((n, s) => n + (s.insnsProcessed ?? 0), 0),
    states: stats.reduce((n, s) => n + (s.totalStates ?? 0), 0),
  };
}

/** The name a run target has among a CO-RE report's results (the host is "this kernel"). */
export function coreNameOf(target: string): string {
  return target === HOST_TARGET ? HOST_CORE_NAME : target;
}

/** One relocation's outcome per target, and whether it differs from the host's. */
export interface RelocationRow {
  relocation: CoreRelocation;
  cells: { target: string; text: string; ok: boolean; differs: boolean }[];
}

function cellText(r: CoreRelocation['results'][number] | undefined): string {
  if (!r) return '—';
  if (!r.ok) return r.poisoned ? 'poisoned' : 'fails';
  return r.value === undefined ? 'ok' : String(r.value);
}

/**
 * The CO-RE report laid out by run target: each relocation's value on every target, a cell marked
 * where it differs from the host's value (the point of CO-RE: the same instruction, another offset
 * or answer per kernel). Without the host among the targets, the first target is the reference.
 */
export function relocationRows(core: M<'core'> | null, targets: readonly string[]): RelocationRow[] {
  if (!core) return [];
  const reference = coreNameOf(targets.includes(HOST_TARGET) ? HOST_TARGET : (targets[0] ?? HOST_TARGET));
  return core.relocations.map((relocation) => {
    const ref = relocation.results.find((r) => r.target === reference);
    const refText = cellText(ref);
    return {
      relocation,
      cells: targets.map((target) => {
        const r = relocation.results.find((x) => x.target === coreNameOf(target));
        const text = cellText(r);
        return { target, text, ok: r?.ok ?? false, differs: r !== undefined && ref !== undefined && text !== refText };
      }),
    };
  });
}

/** How many relocations resolve differently from the reference on each target. */
export function differenceCounts(rows: readonly RelocationRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) for (const c of row.cells) out[c.target] = (out[c.target] ?? 0) + (c.differs ? 1 : 0);
  return out;
}
