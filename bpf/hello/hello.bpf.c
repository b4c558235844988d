// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Hello, world: print a line every time a process calls execve().
 *
 * A tracepoint is a hook the kernel developers placed on purpose, with a stable format (see
 * /sys/kernel/tracing/events/syscalls/sys_enter_execve/format). It is the safest place to start:
 * its name and arguments do not change between kernel versions the way internal functions do.
 *
 * bpf_printk() normally writes to the kernel's single, global trace buffer
 * (/sys/kernel/tracing/trace_pipe), where everyone's lines mix. The playground's <bpf/bpf_helpers.h>
 * routes it to a ring buffer owned by this program instead, so you see only your own lines.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve(struct trace_event_raw_sys_enter *ctx)
{
	/* The upper 32 bits are the process id (tgid), the lower 32 the thread id. */
	int pid = bpf_get_current_pid_tgid() >> 32;
	char comm[16];

	/* Still the caller's name: execve() has not replaced the program yet. */
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("Hello, world! pid %d (%s) is calling execve", pid, comm);
	return 0;
}

/*
 * Many helpers (bpf_printk's among them) may only be called by GPL-compatible programs; the
 * kernel reads this string at load time, and "Dual BSD/GPL" counts as GPL-compatible.
 */
char LICENSE[] SEC("license") = "Dual BSD/GPL";
