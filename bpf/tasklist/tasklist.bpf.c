// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * tasklist: a `ps` written as a BPF iterator.
 *
 * An iterator program is not triggered by an event: reading the iterator runs it once per
 * kernel object, here once per task (thread) in the system, then once more with task == NULL at
 * the end. Whatever it writes with BPF_SEQ_PRINTF becomes the text you read, the way
 * /proc files are produced. The playground reads it once, right after attaching, and shows
 * the text in the Iterator pane.
 *
 * Iterators see the live kernel structures under the right locks, so fields can be read
 * directly (task->comm) instead of through bpf_probe_read_kernel().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Show every thread rather than one line per process. */
const volatile bool show_threads = false;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;

	if (!task) /* the final call: nothing left to print */
		return 0;

	/* seq_num counts calls: 0 is the first, a good moment for the header. */
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%-8s %-8s %-8s %-6s %s\n", "PID", "TID", "PPID", "UID", "COMM");

	/* Threads share their process's tgid; only the group leader has pid == tgid. */
	if (!show_threads && task->pid != task->tgid)
		return 0;

	BPF_SEQ_PRINTF(seq, "%-8d %-8d %-8d %-6u %s\n", task->tgid, task->pid, task->real_parent->tgid,
		       task->cred->uid.val, task->comm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
