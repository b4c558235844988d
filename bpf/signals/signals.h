/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __SIGNALS_H
#define __SIGNALS_H

#define TASK_COMM_LEN 16

/* The kernel's verdicts for a generated signal (include/trace/events/signal.h), named so they decode by name. */
enum sig_result {
	SIG_DELIVERED = 0,
	SIG_IGNORED = 1,
	SIG_ALREADY_PENDING = 2,
	SIG_OVERFLOW_FAIL = 3,
	SIG_LOSE_INFO = 4,
};

struct event {
	__u32 pid;          /* sender */
	__u32 tpid;         /* target */
	int sig;
	enum sig_result result;
	char comm[TASK_COMM_LEN];  /* sender's name */
	char tcomm[TASK_COMM_LEN]; /* target's name */
};

#endif /* __SIGNALS_H */
