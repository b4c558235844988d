// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* tasklist: an iter/task program, BPF_SEQ_PRINTF. */
SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	if (!task || task->pid != task->tgid)
		return 0;
	BPF_SEQ_PRINTF(seq, "%8d %16s\n", task->tgid, task->comm);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
