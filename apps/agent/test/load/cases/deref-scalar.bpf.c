// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: a tracepoint program dereferences a kernel pointer directly.
 * bpf_get_current_task() returns a plain number to the verifier; reading
 * through it needs BPF_CORE_READ() / bpf_probe_read_kernel(). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

u32 last_ppid;

SEC("tracepoint/sched/sched_process_exec")
int record_parent(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	last_ppid = task->real_parent->tgid;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
