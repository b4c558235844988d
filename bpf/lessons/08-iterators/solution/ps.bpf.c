// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 8: a ps written as a task iterator. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) /* the final call */
		return 0;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-8s %s\n", "PID", "COMM");
	/* Threads share their process's tgid; only the group leader has pid == tgid. */
	if (task->pid != task->tgid)
		return 0;
	BPF_SEQ_PRINTF(seq, "%-8d %s\n", task->tgid, task->comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
