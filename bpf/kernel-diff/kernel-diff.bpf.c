// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * One object, different answers per kernel — on purpose. Run it with the kernel matrix
 * (`--kernel host,5.10,6.1,6.12`, or the Kernels tab) and compare the columns.
 *
 * Linux 5.14 renamed task_struct::state to __state, and bpf_loop() arrived in 5.17. The program
 * asks the kernel it lands on with bpf_core_field_exists() and bpf_core_enum_value_exists():
 * libbpf resolves each question against that kernel's BTF at load time (see the CO-RE pane:
 * the same relocation is 1 on 6.1 and 0 on 5.10), and the verifier drops the branch that does not
 * apply, so the 5.10 branch may read a field 6.1 does not have and the other way round.
 *
 * Records go through a ring buffer, so each column of the matrix shows the same typed fields.
 * (bpf_printk works on 5.10 too: without bpf_snprintf there, the playground's printk falls back
 * to bpf_trace_printk — at most three arguments — behind the same kind of CO-RE check.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kernel-diff.h"

/* The pre-5.14 layout, as a CO-RE "flavor": libbpf ignores the ___suffix when matching. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int report(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_core_field_exists(task->__state)) {
		e->state_field_renamed = 1;
		e->state = BPF_CORE_READ(task, __state);
	} else {
		struct task_struct___pre514 *old = (void *)task;

		e->state_field_renamed = 0;
		e->state = BPF_CORE_READ(old, state);
	}
	e->has_bpf_loop = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
