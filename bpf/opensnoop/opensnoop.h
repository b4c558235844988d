/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __OPENSNOOP_H
#define __OPENSNOOP_H

#define TASK_COMM_LEN 16
#define NAME_MAX 255

/* What sys_enter_openat saw, kept until sys_exit_openat tells how it ended. */
struct args_t {
	const char *fname;
	int flags;
};

struct event {
	__u32 pid;
	__u32 uid;
	/* The new file descriptor, or -errno: -2 is ENOENT, -13 EACCES. */
	int ret;
	int flags;
	char comm[TASK_COMM_LEN];
	char fname[NAME_MAX];
};

#endif /* __OPENSNOOP_H */
