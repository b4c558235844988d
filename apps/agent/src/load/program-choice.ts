import type { AttachSupport } from '@bpfplay/protocol';
import { ALTERNATIVES, attachKindOf, capabilityOf, type AttachKind } from '../attach/kinds.js';

/**
 * Which programs of an object to load, as a libbpf-tools C loader would choose them (design.md, "The
 * playground is the loader"). Tools ship the same probe in several variants — `tp_btf` + `raw_tp`,
 * `fentry` + `kprobe` — and their loader keeps one per hook for the kernel at hand. The rules:
 *   1. a kind this kernel cannot serve is switched off (capability probe at agent start);
 *   2. of the variants left for one hook, the preferred kind stays on, the others wait as fallbacks
 *      (attaching both would count every event twice);
 *   3. when a program fails to load (verifier, "helper not allowed") and its hook has a fallback, the
 *      failing one is switched off and the next variant loaded instead; a hook with nothing left fails.
 * Pure functions over section names and capabilities, so any runner (host, microVM guest) applies
 * the same rules: the plan travels with the run, and the runner asks `replaceFailed` after a failure.
 */

export interface ProgramSection {
  program: string;
  section: string;
}

export interface ProgramPlan {
  /** Programs switched off before load, each with the warning the user is told. */
  off: Record<string, string>;
  /** A program that is on → its switched-off siblings for the same hook, best first, to try if it fails. */
  fallbacks: Record<string, string[]>;
}

/** Lower is preferred: BTF-typed and cheaper variants first, as libbpf-tools' loaders probe for them. */
const PREFERENCE: Partial<Record<AttachKind, number>> = {
  fentry: 0,
  fexit: 0,
  tp_btf: 0,
  raw_tp: 1,
  kprobe: 1,
  kretprobe: 1,
  ksyscall: 1,
  tracepoint: 2,
};

/**
 * The event a program attaches to, written the same for every variant of it: `tracepoint:sched_switch`
 * for tp/sched/sched_switch, raw_tp/sched_switch and tp_btf/sched_switch; `entry:vfs_read` for
 * kprobe/vfs_read and fentry/vfs_read; `return:vfs_read` for kretprobe and fexit. Undefined for
 * programs that have no variants (uprobes, XDP, iterators...) or an offset/pattern target.
 */
export function hookOf(section: string): string | undefined {
  const kind = attachKindOf(section);
  const target = section.slice(section.indexOf('/') + 1);
  if (!section.includes('/') || !target || /[+*?]/.test(target)) return undefined;
  switch (kind) {
    case 'tracepoint':
      return `tracepoint:${target.slice(target.indexOf('/') + 1)}`;
    case 'raw_tp':
    case 'tp_btf':
      return `tracepoint:${target}`;
    case 'kprobe':
    case 'fentry':
      return section.startsWith('kprobe.multi') ? undefined : `entry:${target}`;
    case 'kretprobe':
    case 'fexit':
      return section.startsWith('kretprobe.multi') ? undefined : `return:${target}`;
    case 'ksyscall':
      // The same event as the syscall tracepoints: ksyscall/openat fires where sys_enter_openat does.
      return `tracepoint:${section.startsWith('kretsyscall') ? 'sys_exit' : 'sys_enter'}_${target}`;
    default:
      return undefined;
  }
}

function preference(section: string): number {
  return PREFERENCE[attachKindOf(section)] ?? 3;
}

/**
 * Rules 1 and 2: what to switch off before the first load. `capabilities` is the agent's probe of
 * this kernel (hello.capabilities.attach); a kind it does not list is assumed to work.
 */
export function planPrograms(programs: ProgramSection[], capabilities: AttachSupport[]): ProgramPlan {
  const off: Record<string, string> = {};
  for (const p of programs) {
    const family = capabilityOf(attachKindOf(p.section));
    const support = capabilities.find((c) => c.kind === family);
    if (!support || support.supported) continue;
    const alt = support.hint ?? ALTERNATIVES[family];
    off[p.program] =
      `${p.program} (SEC("${p.section}")) is switched off: this kernel cannot run ${family} programs (${support.reason ?? 'probe failed'})${alt ? `; ${alt}` : ''}`;
  }
  const fallbacks: Record<string, string[]> = {};
  for (const group of hookGroups(programs.filter((p) => off[p.program] === undefined))) {
    const kinds = [...new Set(group.map((p) => attachKindOf(p.section)))];
    if (kinds.length < 2) continue;
    const ordered = [...group].sort((a, b) => preference(a.section) - preference(b.section));
    const keepKind = attachKindOf(ordered[0]!.section);
    const kept = ordered.filter((p) => attachKindOf(p.section) === keepKind);
    const waiting = ordered.filter((p) => attachKindOf(p.section) !== keepKind);
    for (const p of waiting) {
      off[p.program] =
        `${p.program} (SEC("${p.section}")) is switched off: ${kept[0]!.program} (SEC("${kept[0]!.section}")) serves the same hook, and one variant per hook runs (as the tool's own loader would choose); it is loaded instead if ${kept[0]!.program} fails`;
    }
    for (const k of kept) fallbacks[k.program] = waiting.map((p) => p.program);
  }
  return { off, fallbacks };
}

function hookGroups(programs: ProgramSection[]): ProgramSection[][] {
  const byHook = new Map<string, ProgramSection[]>();
  for (const p of programs) {
    const hook = hookOf(p.section);
    if (hook === undefined) continue;
    byHook.set(hook, [...(byHook.get(hook) ?? []), p]);
  }
  return [...byHook.values()];
}

/**
 * Rule 3: `failed` did not load (`why`, the kernel's reason). Returns the plan with it switched off and
 * its next variant (with the variants after it as that one's fallbacks) switched on, or undefined when
 * its hook has nothing left and the run must fail.
 */
export function replaceFailed(
  plan: ProgramPlan,
  programs: ProgramSection[],
  failed: string,
  why: string,
): ProgramPlan | undefined {
  const [next, ...rest] = plan.fallbacks[failed] ?? [];
  if (next === undefined) return undefined;
  const sectionOf = (name: string) => programs.find((p) => p.program === name)?.section ?? '?';
  const off = { ...plan.off };
  delete off[next];
  // Programs of the failed one's kind on the same hook go with it: they were kept together.
  const sameKind = Object.entries(plan.fallbacks)
    .filter(([, f]) => f.join() === plan.fallbacks[failed]!.join())
    .map(([name]) => name);
  for (const name of sameKind) {
    off[name] =
      `${name} (SEC("${sectionOf(name)}")) is switched off: ${failed === name ? `it failed to load (${why})` : `${failed} of the same kind failed to load (${why})`}; ${next} (SEC("${sectionOf(next)}")) serves the hook instead`;
  }
  const fallbacks = { ...plan.fallbacks };
  for (const name of sameKind) delete fallbacks[name];
  // The rest that share the next one's kind come on with it.
  const nextKind = attachKindOf(sectionOf(next));
  const comeOn = rest.filter((n) => attachKindOf(sectionOf(n)) === nextKind);
  const stillWaiting = rest.filter((n) => attachKindOf(sectionOf(n)) !== nextKind);
  for (const n of comeOn) delete off[n];
  for (const n of [next, ...comeOn]) fallbacks[n] = stillWaiting;
  return { off, fallbacks };
}
