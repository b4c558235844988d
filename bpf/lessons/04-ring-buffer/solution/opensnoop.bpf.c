// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 4: one record per openat() through a ring buffer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* The record. The playground decodes records of a ring buffer as `struct event`. */
struct event {
	u32 pid;
	char comm[16];
	char filename[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024); /* bytes; a power of two, a multiple of the page size */
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* Reserved memory is not zeroed: on failure, leave an empty string rather than garbage. */
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[1]) < 0)
		e->filename[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
