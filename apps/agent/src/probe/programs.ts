/**
 * One tiny program per attach family, compiled and really loaded + attached at agent start. What
 * works here is measured, never assumed: another host's kernel answers differently.
 */
export interface ProbeProgram {
  kind: string;
  attach: 'auto' | 'iter' | 'perf_event' | 'load';
  source: string;
}

const head = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;

export const PROBE_PROGRAMS: ProbeProgram[] = [
  {
    kind: 'tracepoint',
    attach: 'auto',
    source: `SEC("tracepoint/syscalls/sys_enter_getppid") int probe(void *ctx) { return 0; }`,
  },
  { kind: 'raw_tp', attach: 'auto', source: `SEC("raw_tp/sys_enter") int probe(void *ctx) { return 0; }` },
  {
    kind: 'tp_btf',
    attach: 'auto',
    source: `SEC("tp_btf/sched_switch") int BPF_PROG(probe, bool preempt, struct task_struct *prev, struct task_struct *next) { return 0; }`,
  },
  { kind: 'kprobe', attach: 'auto', source: `SEC("kprobe/vfs_read") int probe(struct pt_regs *ctx) { return 0; }` },
  { kind: 'fentry', attach: 'auto', source: `SEC("fentry/vfs_read") int BPF_PROG(probe) { return 0; }` },
  { kind: 'lsm', attach: 'auto', source: `SEC("lsm/file_open") int BPF_PROG(probe, struct file *file) { return 0; }` },
  {
    kind: 'uprobe',
    attach: 'auto',
    source: `SEC("uprobe//bin/bash:main") int probe(struct pt_regs *ctx) { return 0; }`,
  },
  { kind: 'iter', attach: 'iter', source: `SEC("iter/task") int probe(struct bpf_iter__task *ctx) { return 0; }` },
  { kind: 'perf_event', attach: 'perf_event', source: `SEC("perf_event") int probe(void *ctx) { return 0; }` },
  { kind: 'xdp', attach: 'load', source: `SEC("xdp") int probe(struct xdp_md *ctx) { return 2; }` },
  { kind: 'tc', attach: 'load', source: `SEC("tc") int probe(struct __sk_buff *skb) { return 0; }` },
  { kind: 'socket', attach: 'load', source: `SEC("socket") int probe(struct __sk_buff *skb) { return 0; }` },
].map((p) => ({ ...p, source: head + p.source + '\n' })) as ProbeProgram[];
