/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BASHREADLINE_H
#define __BASHREADLINE_H

#define MAX_LINE_SIZE 80
#define TASK_COMM_LEN 16

/* Not called `event`: the map says which type its records are (see BPFPLAY_RECORD below). */
struct str_t {
	__u32 pid;
	char comm[TASK_COMM_LEN];
	char str[MAX_LINE_SIZE];
};

#endif /* __BASHREADLINE_H */
