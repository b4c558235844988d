// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 2: print the file name of every openat() call. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	/* ctx->args[1] is the file name: a pointer into the caller's memory. */
	const char *filename = (const char *)ctx->args[1];

	/* TODO: copy the name into a buffer with bpf_probe_read_user_str() and print it. */
	bpf_printk("openat() called");
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
