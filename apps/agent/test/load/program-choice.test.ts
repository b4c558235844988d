import { describe, expect, it } from 'vitest';
import type { AttachSupport } from '@bpfplay/protocol';
import { hookOf, planPrograms, replaceFailed, type ProgramSection } from '../../src/load/program-choice.js';

/** This kernel's answer: no kprobes, no fentry, the rest works. */
const CAPS: AttachSupport[] = [
  { kind: 'kprobe', supported: false, reason: 'CONFIG_KPROBES is off' },
  { kind: 'fentry', supported: false, reason: 'EPERM' },
  { kind: 'tp_btf', supported: true },
  { kind: 'raw_tp', supported: true },
  { kind: 'tracepoint', supported: true },
];
const ALL_WORK: AttachSupport[] = [];

const progs = (...pairs: [string, string][]): ProgramSection[] =>
  pairs.map(([program, section]) => ({ program, section }));

describe('the hook a program attaches to (the same for each variant of it)', () => {
  it.each([
    ['tp_btf/sched_switch', 'tracepoint:sched_switch'],
    ['raw_tp/sched_switch', 'tracepoint:sched_switch'],
    ['tp/sched/sched_switch', 'tracepoint:sched_switch'],
    ['tracepoint/sched/sched_switch', 'tracepoint:sched_switch'],
    ['fentry/vfs_read', 'entry:vfs_read'],
    ['kprobe/vfs_read', 'entry:vfs_read'],
    ['fexit/vfs_read', 'return:vfs_read'],
    ['kretprobe/vfs_read', 'return:vfs_read'],
    ['ksyscall/openat', 'tracepoint:sys_enter_openat'],
    ['kretsyscall/openat', 'tracepoint:sys_exit_openat'],
  ])('%s → %s', (section, hook) => expect(hookOf(section)).toBe(hook));

  it.each(['kprobe/vfs_read+0x10', 'kprobe.multi/vfs_*', 'xdp', 'iter/task', 'uprobe//bin/bash:readline', 'fentry'])(
    '%s has no variants',
    (section) => expect(hookOf(section)).toBeUndefined(),
  );
});

describe('which programs are switched off before load', () => {
  it('switches off kinds this kernel cannot serve, naming the reason', () => {
    const plan = planPrograms(progs(['a', 'kprobe/vfs_read'], ['b', 'tracepoint/syscalls/sys_enter_read']), CAPS);
    expect(Object.keys(plan.off)).toEqual(['a']);
    expect(plan.off.a).toMatch(
      /a \(SEC\("kprobe\/vfs_read"\)\) is switched off: this kernel cannot run kprobe programs \(CONFIG_KPROBES is off\)/,
    );
  });

  it('keeps one variant per hook (tp_btf over raw_tp) and holds the other as its fallback', () => {
    const plan = planPrograms(
      progs(
        ['wake_btf', 'tp_btf/sched_wakeup'],
        ['wake_raw', 'raw_tp/sched_wakeup'],
        ['exit', 'tp/sched/sched_process_exit'],
      ),
      ALL_WORK,
    );
    expect(Object.keys(plan.off)).toEqual(['wake_raw']);
    expect(plan.off.wake_raw).toMatch(/wake_btf \(SEC\("tp_btf\/sched_wakeup"\)\) serves the same hook/);
    expect(plan.fallbacks).toEqual({ wake_btf: ['wake_raw'] });
  });

  it('prefers fentry over kprobe where both work, and kprobe stays the fallback', () => {
    const plan = planPrograms(progs(['k', 'kprobe/vfs_read'], ['f', 'fentry/vfs_read']), ALL_WORK);
    expect(Object.keys(plan.off)).toEqual(['k']);
    expect(plan.fallbacks).toEqual({ f: ['k'] });
  });

  it('on this kernel a fentry + kprobe + tracepoint tool runs its tracepoint', () => {
    const plan = planPrograms(
      progs(['f', 'fentry/do_unlinkat'], ['k', 'kprobe/do_unlinkat'], ['t', 'tracepoint/syscalls/sys_enter_unlinkat']),
      CAPS,
    );
    expect(Object.keys(plan.off).sort()).toEqual(['f', 'k']);
  });

  it('leaves two programs of the same kind on one hook alone: they are not variants', () => {
    const plan = planPrograms(progs(['a', 'tp/sched/sched_switch'], ['b', 'tracepoint/sched/sched_switch']), ALL_WORK);
    expect(plan).toEqual({ off: {}, fallbacks: {} });
  });
});

describe('a program that fails to load', () => {
  const p = progs(
    ['sw_btf', 'tp_btf/sched_switch'],
    ['sw_raw', 'raw_tp/sched_switch'],
    ['sw_tp', 'tp/sched/sched_switch'],
    ['other', 'tp/sched/sched_process_exit'],
  );

  it('is switched off with the kernel reason, and the next variant comes on', () => {
    const plan = planPrograms(p, ALL_WORK);
    expect(Object.keys(plan.off).sort()).toEqual(['sw_raw', 'sw_tp']);
    const next = replaceFailed(plan, p, 'sw_btf', 'helper bpf_foo is not allowed in this program type')!;
    expect(Object.keys(next.off).sort()).toEqual(['sw_btf', 'sw_tp']);
    expect(next.off.sw_btf).toMatch(
      /it failed to load \(helper bpf_foo is not allowed in this program type\); sw_raw .* serves the hook instead/,
    );
    expect(next.fallbacks.sw_raw).toEqual(['sw_tp']);
    const last = replaceFailed(next, p, 'sw_raw', 'R1 invalid mem access')!;
    expect(Object.keys(last.off).sort()).toEqual(['sw_btf', 'sw_raw']);
    expect(replaceFailed(last, p, 'sw_tp', 'again')).toBeUndefined();
  });

  it('fails the run when its hook has nothing left', () => {
    const plan = planPrograms(p, ALL_WORK);
    expect(replaceFailed(plan, p, 'other', 'invalid mem access')).toBeUndefined();
  });
});
