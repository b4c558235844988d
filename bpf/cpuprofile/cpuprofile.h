/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __CPUPROFILE_H
#define __CPUPROFILE_H

#define TASK_COMM_LEN 16
/* Deep enough for syscall paths through the VFS and the scheduler; the kernel allows 127. */
#define MAX_STACK_DEPTH 32

/* One row of the profile: who was on the CPU, and where in the kernel. */
struct key_t {
	__u32 pid;
	/*
	 * Id of the stack in the `stacks` map, or a negative errno: -EFAULT when the sample hit user
	 * space (there is no kernel stack to walk), -EEXIST on a hash collision without
	 * BPF_F_REUSE_STACKID.
	 */
	__s32 kern_stack_id;
	char comm[TASK_COMM_LEN];
};

#endif /* __CPUPROFILE_H */
