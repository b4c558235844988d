// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* opensnoop: fentry, kprobe and tracepoint variants of the same probe; start map sized by the loader. */
struct args { const char *fname; };
struct event { u32 pid; int ret; char comm[16]; char fname[128]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, struct args); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

SEC("fentry/do_sys_openat2")
int BPF_PROG(open_fentry, int dfd, const char *filename)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct args a = { .fname = filename };
	bpf_map_update_elem(&start, &tid, &a, BPF_ANY);
	return 0;
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(open_kprobe, int dfd, const char *filename)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct args a = { .fname = filename };
	bpf_map_update_elem(&start, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int open_enter(struct trace_event_raw_sys_enter *ctx)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct args a = { .fname = (const char *)ctx->args[1] };
	bpf_map_update_elem(&start, &tid, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int open_exit(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct args *a = bpf_map_lookup_elem(&start, &tid);
	struct event *e;
	if (!a)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->pid = bpf_get_current_pid_tgid() >> 32;
		e->ret = ctx->ret;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_probe_read_user_str(e->fname, sizeof(e->fname), a->fname);
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&start, &tid);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
