// SPDX-License-Identifier: MIT
/* Golden case: bpf_get_current_task() is GPL-only and this object's license
 * section says MIT. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

u32 last_ppid;

SEC("tracepoint/sched/sched_process_exec")
int record_parent(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	last_ppid = BPF_CORE_READ(task, real_parent, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "MIT";
