/** Small BPF programs the agent tests run; `name` makes each program findable in the kernel. */

export const head = `// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
`;
const license = `char LICENSE[] SEC("license") = "GPL";\n`;

/** printk on every getppid(): the tests trigger it with `tag` so lines are attributable. */
export function printkOnGetppid(name: string, tag: string): string {
  return `${head}
SEC("tracepoint/syscalls/sys_enter_getppid")
int ${name}(void *ctx)
{
	bpf_printk("${tag} pid=%d", bpf_get_current_pid_tgid() >> 32);
	return 0;
}
${license}`;
}

/** Fires on every execve; used where a test only needs "something attached". */
export function execProbe(name: string): string {
  return `${head}
struct event { u32 pid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 64 * 1024); } events SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_execve")
int ${name}(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
${license}`;
}

/** Line 7 has the error (an undeclared identifier). */
export const compileError = `${head}
SEC("tracepoint/syscalls/sys_enter_execve")
int bad(void *ctx)
{
	return undeclared_thing;
}
${license}`;

/** The map lookup result is dereferenced without a NULL check on line 11. */
export function verifierError(name: string): string {
  return `${head}
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, u32); __type(value, u64); } counts SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_execve")
int ${name}(void *ctx)
{
	u32 key = 0;
	u64 *v = bpf_map_lookup_elem(&counts, &key);
	return *v;
}
${license}`;
}

/** bpf_probe_write_user on line 11: the policy must refuse it before load. */
export function forbiddenHelper(name: string): string {
  return `${head}
SEC("tracepoint/syscalls/sys_enter_execve")
int ${name}(struct trace_event_raw_sys_enter *ctx)
{
	char zero[4] = {};
	void *dst = (void *)ctx->args[0];
	bpf_probe_write_user(dst, zero, sizeof(zero));
	return 0;
}
${license}`;
}

/** One kprobe (switched off here) and one tracepoint (runs). */
export function kprobeAndTracepoint(kname: string, tname: string): string {
  return `${head}
SEC("kprobe/do_sys_openat2")
int ${kname}(struct pt_regs *ctx) { bpf_printk("kprobe"); return 0; }
SEC("tracepoint/syscalls/sys_enter_getppid")
int ${tname}(void *ctx) { bpf_printk("tracepoint fired"); return 0; }
${license}`;
}

export function kprobeOnly(name: string): string {
  return `${head}
SEC("kprobe/do_sys_openat2")
int ${name}(struct pt_regs *ctx) { return 0; }
${license}`;
}

export function uprobeOn(binary: string, name: string): string {
  return `${head}
SEC("uprobe/${binary}:main")
int ${name}(struct pt_regs *ctx) { return 0; }
${license}`;
}
