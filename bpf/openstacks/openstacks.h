/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __OPENSTACKS_H
#define __OPENSTACKS_H

#define TASK_COMM_LEN 16
#define MAX_FILENAME_LEN 64
/* Frames kept per stack: enough for a syscall's path through the kernel, and a 600-byte record. */
#define MAX_STACK_DEPTH 32

/*
 * One record per openat(), laid out like libbpf-bootstrap's profile event: the stacks are arrays of
 * __u64 filled by bpf_get_stack(), innermost frame first, zero after the last. The playground
 * recognises `kstack` and `ustack` by name (array of __u64) and shows their frames by symbol.
 */
struct event {
	__u32 pid;
	char comm[TASK_COMM_LEN];
	char filename[MAX_FILENAME_LEN];
	__s32 kstack_sz;
	__s32 ustack_sz;
	__u64 kstack[MAX_STACK_DEPTH];
	__u64 ustack[MAX_STACK_DEPTH];
};

#endif /* __OPENSTACKS_H */
