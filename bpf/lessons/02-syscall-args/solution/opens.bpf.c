// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 2: print the file name of every openat() call. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	/* ctx->args[1] is the file name: a pointer into the caller's memory. */
	const char *filename = (const char *)ctx->args[1];
	char name[128];

	/* Copies up to the NUL (or 127 bytes and a NUL); a bad pointer gives an error, not a crash. */
	if (bpf_probe_read_user_str(name, sizeof(name), filename) < 0)
		return 0;
	bpf_printk("open: %s", name);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
