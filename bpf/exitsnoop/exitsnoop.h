/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __EXITSNOOP_H
#define __EXITSNOOP_H

#define TASK_COMM_LEN 16

struct event {
	__u32 pid;
	__u32 ppid;
	/* What the parent's wait() decodes: exit(N) gives exit_code N; a fatal signal gives sig. */
	int exit_code;
	int sig;
	/* How long the process lived. */
	__u64 duration_ns;
	char comm[TASK_COMM_LEN];
};

#endif /* __EXITSNOOP_H */
