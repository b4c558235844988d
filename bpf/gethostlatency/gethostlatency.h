/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __GETHOSTLATENCY_H
#define __GETHOSTLATENCY_H

#define TASK_COMM_LEN 16
#define HOST_LEN 80

struct event {
	__u64 time_us; /* how long the lookup took */
	__u32 pid;
	/*
	 * getaddrinfo's return: 0, or an EAI_* code (negative in glibc). Not an errno (EAI_NONAME is
	 * -2, ENOENT's number): named `eai`, the playground shows it as EAI_NONAME, never -ENOENT.
	 */
	int eai;
	char comm[TASK_COMM_LEN];
	char host[HOST_LEN];
};

#endif /* __GETHOSTLATENCY_H */
