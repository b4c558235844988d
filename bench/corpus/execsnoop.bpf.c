// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* execsnoop: BPF_KSYSCALL variant (kprobes) and a tracepoint variant; one runs per kernel. */
struct event { u32 pid; u32 ppid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

static int emit(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("ksyscall/execve")
int BPF_KSYSCALL(execve_ks, const char *filename)
{
	return emit();
}

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_tp(struct trace_event_raw_sys_enter *ctx)
{
	return emit();
}
char LICENSE[] SEC("license") = "GPL";
