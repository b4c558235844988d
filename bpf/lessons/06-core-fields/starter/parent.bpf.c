// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 6: read the parent's name and the task's state with CO-RE. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* task_struct before Linux 5.14, where __state was called state. */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	char comm[16], parent[16] = {};
	unsigned int state = 0;

	bpf_get_current_comm(comm, sizeof(comm));
	/*
	 * TODO: read task->real_parent->comm into parent with BPF_CORE_READ_STR_INTO, and the state:
	 * task->__state if bpf_core_field_exists(task->__state), else ((struct task_struct___old *)task)->state.
	 */
	bpf_printk("exec %s parent %s state %u", comm, parent, state);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
