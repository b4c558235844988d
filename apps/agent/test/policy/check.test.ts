import type { ProgramCalls } from '@bpfplay/btf';
import { describe, expect, it } from 'vitest';
import { checkPolicy, policyKindOf } from '../../src/policy/check.js';
import { programLocator } from '../../src/policy/locate.js';
import { DEFAULT_POLICY, mergePolicy } from '../../src/policy/policy.js';

const prog = (program: string, section: string, calls: ProgramCalls['calls'] = []): ProgramCalls => ({
  program,
  section,
  subprogram: false,
  insnCount: 2,
  calls,
});

const source = `#include "vmlinux.h"
SEC("struct_ops/ssthresh")
int BPF_PROG(ssthresh, struct sock *sk)
{ return 0; }

SEC("sk_lookup")
int lookup(struct bpf_sk_lookup *ctx) { return 0; }
`;
const locate = programLocator([{ name: 'p.bpf.c', content: source }]);

describe('program policy', () => {
  it('refuses denied families with their reason, the program and the SEC() line', () => {
    const [v] = checkPolicy([prog('ssthresh', 'struct_ops/ssthresh')], DEFAULT_POLICY, locate);
    expect(v).toMatchObject({
      rule: 'program-type-denied',
      program: 'ssthresh',
      location: { file: 'p.bpf.c', line: 2 },
    });
    expect(v!.message).toMatch(
      /^ssthresh at p\.bpf\.c:2 is a SEC\("struct_ops\/ssthresh"\) program.*replace kernel behaviour/,
    );
  });

  it('refuses every family that is not on the allowlist, recognised or not', () => {
    const [v] = checkPolicy([prog('lookup', 'sk_lookup')], DEFAULT_POLICY, locate);
    expect(v).toMatchObject({ rule: 'program-type-not-allowed', location: { line: 6 } });
    expect(v!.message).toMatch(/does not recognise.*allows: tracepoint/);
  });

  it.each([
    ['lsm/bprm_check_security', 'program-type-denied'],
    ['lsm.s/file_open', 'program-type-denied'],
    ['fmod_ret/do_sys_open', 'program-type-denied'],
    ['struct_ops.s/init', 'program-type-denied'],
    ['syscall', 'program-type-denied'],
    ['cgroup_skb/ingress', 'program-type-denied'],
    ['cgroup/connect4', 'program-type-denied'],
    ['sockops', 'program-type-denied'],
    ['raw_tp.w/bpf_test_finish', 'program-type-denied'],
    ['raw_tracepoint.w/bpf_test_finish', 'program-type-denied'],
    ['freplace/handler', 'program-type-not-allowed'],
    ['sk_msg', 'program-type-not-allowed'],
    ['sk_skb/stream_parser', 'program-type-not-allowed'],
    ['flow_dissector', 'program-type-packet-lab-only'],
    ['netfilter', 'program-type-not-allowed'],
    ['lsm_cgroup/socket_bind', 'program-type-not-allowed'],
    ['lwt_in', 'program-type-not-allowed'],
    ['?struct_ops/x', 'program-type-denied'],
  ])('SEC("%s") → %s', (section, rule) => {
    expect(checkPolicy([prog('p', section)], DEFAULT_POLICY).map((v) => v.rule)).toEqual([rule]);
  });

  it.each([
    'tracepoint/syscalls/sys_enter_execve',
    'tp/sched/sched_switch',
    'raw_tp/sys_enter',
    'tp_btf/sched_wakeup',
    'iter/task',
    'perf_event',
    'xdp',
    'tc',
    'socket',
    'kprobe/do_sys_openat2',
    'fentry/do_unlinkat',
  ])('allows SEC("%s")', (section) => {
    expect(checkPolicy([prog('p', section)], DEFAULT_POLICY)).toEqual([]);
  });

  it('a flow dissector loads only for the packet lab: a Run or an export is refused with the reason and where to go', () => {
    const [v] = checkPolicy([prog('fd', 'flow_dissector')], DEFAULT_POLICY);
    expect(v).toMatchObject({ rule: 'program-type-packet-lab-only', program: 'fd' });
    expect(v!.message).toMatch(/every packet of a network namespace.*open the Packet lab, or use `bpfplay test-run`/);
    expect(checkPolicy([prog('fd', 'flow_dissector')], DEFAULT_POLICY, undefined, { packetLab: true })).toEqual([]);
    // The packet lab lifts only that: other refusals stand in a test run.
    expect(
      checkPolicy([prog('c', 'cgroup_skb/ingress')], DEFAULT_POLICY, undefined, { packetLab: true }).map((x) => x.rule),
    ).toEqual(['program-type-denied']);
    // An operator closes it with an empty list: then it is a family this agent does not allow at all.
    const closed = mergePolicy(DEFAULT_POLICY, { packetLabKinds: {} });
    expect(
      checkPolicy([prog('fd', 'flow_dissector')], closed, undefined, { packetLab: true }).map((x) => x.rule),
    ).toEqual(['program-type-not-allowed']);
  });

  it('sees ? sections and writable raw tracepoints as what they are', () => {
    expect(policyKindOf('?tp/syscalls/sys_enter_getpid')).toBe('tracepoint');
    expect(policyKindOf('raw_tp.w/x')).toBe('raw_tp.w');
    expect(policyKindOf('raw_tp/x')).toBe('raw_tp');
  });

  it('refuses state-changing helpers and kfuncs, naming the call and its line', () => {
    const calls: ProgramCalls['calls'] = [
      {
        kind: 'kfunc',
        insn: 3,
        name: 'bpf_send_signal_task',
        location: { file: 'p.bpf.c', line: 9, col: 2, text: '' },
      },
      { kind: 'kfunc', insn: 5, name: 'bpf_task_work_schedule_signal_impl' },
      { kind: 'helper', insn: 7, name: 'bpf_setsockopt', helperId: 42 },
      { kind: 'helper', insn: 8, name: 'bpf_ktime_get_ns', helperId: 5 },
    ];
    const v = checkPolicy([prog('p', 'iter/tcp', calls)], DEFAULT_POLICY);
    expect(v.map((x) => [x.rule, x.helper])).toEqual([
      ['kfunc-denied', 'bpf_send_signal_task'],
      ['kfunc-denied', 'bpf_task_work_schedule_signal_impl'],
      ['helper-denied', 'bpf_setsockopt'],
    ]);
    expect(v[0]).toMatchObject({ program: 'p', location: { file: 'p.bpf.c', line: 9 } });
    expect(v[0]!.message).toMatch(/^p at p\.bpf\.c:9 calls bpf_send_signal_task\(\)/);
  });

  it('allows only listed kfuncs, refuses unnamed ones, unknown helpers and invalid calls', () => {
    const calls: ProgramCalls['calls'] = [
      { kind: 'kfunc', insn: 1, name: 'bpf_task_acquire', kfunc: { via: 'extern', resolved: true } },
      { kind: 'kfunc', insn: 2, name: 'bpf_wq_init', kfunc: { via: 'extern', resolved: true } },
      {
        kind: 'kfunc',
        insn: 3,
        name: 'kfunc #99999',
        kfunc: { via: 'btf-id', btfId: 99999, btfSlot: 0, resolved: false },
      },
      {
        kind: 'kfunc',
        insn: 4,
        name: 'kfunc #7 of module BTF #1',
        kfunc: { via: 'btf-id', btfId: 7, btfSlot: 1, resolved: false },
      },
      { kind: 'helper', insn: 5, name: 'helper #9999', helperId: 9999 },
      { kind: 'invalid', insn: 6, name: 'call with src_reg 3' },
    ];
    const v = checkPolicy([prog('p', 'tp/a/b', calls)], DEFAULT_POLICY);
    expect(v.map((x) => [x.rule, x.helper])).toEqual([
      ['kfunc-not-allowed', 'bpf_wq_init'],
      ['kfunc-unresolved', 'kfunc #99999'],
      ['kfunc-unresolved', 'kfunc #7 of module BTF #1'],
      ['helper-unknown', 'helper #9999'],
      ['call-invalid', 'call with src_reg 3'],
    ]);
    expect(v[2]!.message).toMatch(/module BTF/);
    const wider = mergePolicy(DEFAULT_POLICY, {
      allowedKfuncs: [...DEFAULT_POLICY.allowedKfuncs, 'bpf_wq_init', 'bpf_send_signal_task'],
    });
    expect(checkPolicy([prog('p', 'tp/a/b', calls.slice(0, 2))], wider)).toEqual([]);
    const signal = { kind: 'kfunc' as const, insn: 1, name: 'bpf_send_signal_task' };
    expect(checkPolicy([prog('p', 'tp/a/b', [signal])], wider).map((x) => x.rule)).toEqual(['kfunc-denied']);
  });

  it('lets an operator narrow the allowlist and add denials, but not lift a default denial', () => {
    const tight = mergePolicy(DEFAULT_POLICY, {
      allowedKinds: ['tracepoint'],
      deniedHelpers: { bpf_probe_read_kernel: 'no kernel memory here' },
    });
    expect(checkPolicy([prog('p', 'raw_tp/sys_enter')], tight).map((v) => v.rule)).toEqual([
      'program-type-not-allowed',
    ]);
    const call = { kind: 'helper' as const, insn: 1, name: 'bpf_probe_read_kernel', helperId: 113 };
    expect(checkPolicy([prog('p', 'tp/a/b', [call])], tight)[0]?.message).toMatch(/no kernel memory here/);
    const wide = mergePolicy(DEFAULT_POLICY, { allowedKinds: ['struct_ops'] });
    expect(checkPolicy([prog('p', 'struct_ops/x')], wide).map((v) => v.rule)).toEqual(['program-type-denied']);
  });
});

describe('program locator', () => {
  it('finds the SEC() line of the named program, or its definition when the section is built by a macro', () => {
    const files = [
      {
        name: 'a.bpf.c',
        content: 'SEC("tp/x/y")\nint one(void *c) { return 0; }\nSEC("tp/x/y")\nint two(void *c) { return 0; }\n',
      },
      { name: 'b.h', content: '#define S "uprobe/" LIBC ":f"\nSEC(S)\nint BPF_KPROBE(three, int a)\n{ return 0; }\n' },
    ];
    const loc = programLocator(files);
    expect(loc('tp/x/y', 'two')).toEqual({ file: 'a.bpf.c', line: 3, col: 1 });
    expect(loc('uprobe//lib/libc.so.6:f', 'three')).toMatchObject({ file: 'b.h', line: 3 });
    expect(loc('tp/none', 'missing')).toBeUndefined();
  });
});
