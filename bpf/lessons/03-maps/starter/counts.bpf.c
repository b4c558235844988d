// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 3: count program starts per program name in a hash map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[16]); /* the program's name (comm) */
	__type(value, u64);    /* how many times it started */
} counts SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	char comm[16] = {};
	u64 one = 1, *count;

	bpf_get_current_comm(comm, sizeof(comm));
	/*
	 * TODO: look the name up in counts. If it is there, add 1 to the value (atomically);
	 * if not, insert it with the value 1.
	 */
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
