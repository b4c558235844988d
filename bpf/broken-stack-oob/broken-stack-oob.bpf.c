// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: report every file a process opens, with its name.
 *
 * The mistake: the size passed to bpf_probe_read_user_str() is the size of
 * the whole event, not of the `filename` field it writes into. The helper may
 * write up to that many bytes starting at `filename`, which runs past the end
 * of `e` and off the top of the program's stack frame. The verifier checks
 * the (pointer, size) pair of every helper argument against the stack and
 * refuses the call.
 *
 * The fix: size the read by the destination.
 *
 *	bpf_probe_read_user_str(e.filename, sizeof(e.filename), filename);
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	u32 pid;
	char comm[16];
	char filename[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct trace_event_raw_sys_enter *ctx)
{
	const char *filename = (const char *)ctx->args[1];
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(e.filename, sizeof(e), filename);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
