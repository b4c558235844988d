// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * execsnoop: one event per program started, with who started it.
 *
 * sched_process_exec fires after execve() succeeded, so failed attempts (a typo in $PATH lookup,
 * say) are not reported and `comm` is already the new program's name.
 *
 * The parent's pid is not in the tracepoint: we read it from the kernel's own task_struct with
 * BPF_CORE_READ(task, real_parent, tgid). The offsets of `real_parent` and `tgid` differ between
 * kernel builds; CO-RE records the access and libbpf patches the offsets for the running kernel
 * at load time (the CO-RE pane lists these relocations).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "execsnoop.h"

/* Report only this user's programs; (uid_t)-1, the default, means everyone. */
const volatile uid_t targ_uid = -1;

/*
 * A ring buffer is shared by all CPUs and keeps events in order; 256 KiB holds a few thousand
 * events between two reads by the playground.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task;
	struct event *e;
	unsigned int fname_off;
	__u32 uid = (__u32)bpf_get_current_uid_gid();

	if (targ_uid != (uid_t)-1 && uid != targ_uid)
		return 0;

	/* Reserve space in the ring directly: no copy, and nothing is sent if we bail out. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0; /* ring full: the event is lost, and that is all */

	task = (struct task_struct *)bpf_get_current_task();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = uid;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));

	/*
	 * Variable-length tracepoint fields are stored after the fixed ones; __data_loc_filename
	 * holds their offset in the low 16 bits (and the length in the high 16).
	 */
	fname_off = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_kernel_str(&e->filename, sizeof(e->filename), (void *)ctx + fname_off);

	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
