// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* sigsnoop: tracepoint on signal_generate, plus a BPF_KSYSCALL variant of kill(2). */
struct event { u32 pid; int sig; int tpid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

SEC("tracepoint/signal/signal_generate")
int sig_generate(struct trace_event_raw_signal_generate *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->sig = ctx->sig;
	e->tpid = ctx->pid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("ksyscall/kill")
int BPF_KSYSCALL(kill_entry, pid_t pid, int sig)
{
	bpf_printk("kill(%d, %d)", pid, sig);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
