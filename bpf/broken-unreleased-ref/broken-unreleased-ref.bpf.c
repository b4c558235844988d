// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: report exec()s of setuid-root programs through a ring
 * buffer.
 *
 * The mistake: the record is reserved before the filter, and the early
 * return for ordinary programs leaves it reserved. A reservation is a
 * reference the program holds; every path out of the program must hand it
 * back with bpf_ringbuf_submit() or bpf_ringbuf_discard(), or that slot of
 * the ring buffer would stay locked forever. The verifier walks the path out
 * through the filter's `if` and stops: "Unreleased reference ... alloc_insn=".
 *
 * The fix: filter first, reserve last -- or discard on the way out:
 *
 *	if (BPF_CORE_READ(task, cred, euid.val) != 0) {
 *		bpf_ringbuf_discard(e, 0);
 *		return 0;
 *	}
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct event {
	u32 pid;
	u32 uid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int report_setuid_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	if (BPF_CORE_READ(task, cred, euid.val) != 0)
		return 0; /* still holding e */

	e->pid = ctx->pid;
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
