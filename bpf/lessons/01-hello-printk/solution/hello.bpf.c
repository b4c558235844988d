// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 1: print the name of every program that starts. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	/* comm is at most 15 characters and a NUL: 16 bytes, TASK_COMM_LEN in the kernel. */
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("exec: %s", comm);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
