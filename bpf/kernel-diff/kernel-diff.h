/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef KERNEL_DIFF_H
#define KERNEL_DIFF_H

struct event {
	__u32 pid;
	char comm[16];
	/* 1: this kernel calls it task_struct::__state (5.14+); 0: task_struct::state. */
	__u8 state_field_renamed;
	/* 1: the bpf_loop() helper exists here (5.17+). */
	__u8 has_bpf_loop;
	__u64 state;
};

#endif
