// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 1: print the name of every program that starts. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	/* TODO: read the task's name with bpf_get_current_comm() and print it. */
	bpf_printk("a program started");
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
