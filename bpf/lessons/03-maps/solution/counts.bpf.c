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
	/* Zeroed: the whole 16 bytes are the key, including what follows the name's NUL. */
	char comm[16] = {};
	u64 one = 1, *count;

	bpf_get_current_comm(comm, sizeof(comm));
	count = bpf_map_lookup_elem(&counts, comm);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		/* Two CPUs may both miss and insert: BPF_NOEXIST lets one win; the other's start is lost. */
		bpf_map_update_elem(&counts, comm, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
