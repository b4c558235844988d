// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * exitsnoop: every process that ends, how it ended and how long it lived.
 *
 * sched_process_exit fires in the exiting task itself, once per thread. A process ends when its
 * last thread does; reporting only the thread whose id equals the process id (the group leader)
 * gives one line per process without counting threads.
 *
 * The exit status and start time are not tracepoint arguments, so they are read from the
 * task_struct with CO-RE, which keeps the object correct on kernels where those fields moved.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "exitsnoop.h"

/* Report only processes that failed (non-zero exit or killed by a signal). */
const volatile bool trace_failed_only = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit(void *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 pid = id >> 32, tid = id;
	struct task_struct *task;
	struct event *e;
	int code;

	if (pid != tid) /* a thread of a process that keeps running */
		return 0;

	task = (struct task_struct *)bpf_get_current_task();
	/* do_exit() stored the status before this tracepoint: (code << 8) | signal, as in wait(2). */
	code = BPF_CORE_READ(task, exit_code);
	if (trace_failed_only && code == 0)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = (code >> 8) & 0xff;
	e->sig = code & 0x7f;
	/* start_time and bpf_ktime_get_ns() both count from boot on the monotonic clock. */
	e->duration_ns = bpf_ktime_get_ns() - BPF_CORE_READ(task, start_time);
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
