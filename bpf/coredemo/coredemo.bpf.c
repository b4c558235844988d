// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * CO-RE: one compiled program, many kernels, and the program can ask what this one has.
 *
 * vmlinux.h describes the kernel the program was compiled against. The kernel it runs on may
 * differ: fields move, get renamed, types come and go. Each bpf_core_*() check below compiles to
 * a relocation that libbpf resolves at load time against the running kernel's BTF
 * (/sys/kernel/btf/vmlinux), turning it into a constant. The verifier then sees only the branch
 * that applies and drops the other as dead code, so a branch may even touch fields that do not
 * exist here. The CO-RE pane lists every relocation and what it resolved to.
 *
 * The program prints its findings once, at the first execve() after it is attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * Linux 5.14 renamed task_struct::state to __state (to catch code that read it without
 * READ_ONCE). A "flavor" — a type name with a ___suffix — describes the old layout: CO-RE
 * ignores the suffix and matches it against the kernel's `struct task_struct`.
 */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/*
 * sched_ext (BPF-defined CPU schedulers, 6.12+) exists only with CONFIG_SCHED_CLASS_EXT. A type
 * check needs a local definition to name the type; its members do not matter.
 */
struct sched_ext_ops___check {
	int unused;
};

/* Set once the report is printed; a .bss global, shown in the Maps pane. */
bool reported = false;

SEC("tracepoint/syscalls/sys_enter_execve")
int report(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned int state;

	if (reported)
		return 0;
	reported = true; /* a second CPU may race past the check: harmless, it prints twice */

	if (bpf_core_field_exists(task->__state)) {
		state = BPF_CORE_READ(task, __state);
		bpf_printk("CO-RE: task_struct has __state (Linux 5.14+), this task's is %u", state);
	} else {
		struct task_struct___pre514 *old = (void *)task;

		state = BPF_CORE_READ(old, state);
		bpf_printk("CO-RE: task_struct has state (before 5.14), this task's is %u", state);
	}

	if (bpf_core_type_exists(struct sched_ext_ops___check))
		bpf_printk("CO-RE: struct sched_ext_ops exists: this kernel can load BPF schedulers");
	else
		bpf_printk("CO-RE: no struct sched_ext_ops: this kernel was built without sched_ext");

	/* Enum values are relocated too: BPF_FUNC_* numbers say which helpers the kernel knows. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_user_ringbuf_drain))
		bpf_printk("CO-RE: helper bpf_user_ringbuf_drain exists (6.1+)");
	else
		bpf_printk("CO-RE: helper bpf_user_ringbuf_drain is missing (before 6.1)");

	/* Sizes and offsets are relocations as well: this is the running kernel's, not vmlinux.h's. */
	bpf_printk("CO-RE: task_struct::comm is %u bytes at offset %u", bpf_core_field_size(task->comm),
		   bpf_core_field_offset(task->comm));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
