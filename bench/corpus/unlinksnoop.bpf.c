// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* unlinksnoop: BPF_KSYSCALL(unlinkat) with a tracepoint sibling for kernels without kprobes. */
struct event { u32 pid; char comm[16]; char path[64]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

static int emit(const char *path)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->path, sizeof(e->path), path);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("ksyscall/unlinkat")
int BPF_KSYSCALL(unlinkat_ks, int dfd, const char *path) { return emit(path); }

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int unlinkat_tp(struct trace_event_raw_sys_enter *ctx) { return emit((const char *)ctx->args[1]); }
char LICENSE[] SEC("license") = "GPL";
