// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* bashreadline: lines typed into bash, BPF_URETPROBE on readline's return value. */
struct event { u32 pid; char line[80]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 64 * 1024); } events SEC(".maps");

SEC("uretprobe//usr/bin/bash:readline")
int BPF_URETPROBE(readline_ret, const void *ret)
{
	struct event *e;
	if (!ret)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->line, sizeof(e->line), ret);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
