// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 11: the verifier refused this program; the bounds test below fixes it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_FDS 8

struct fd_counts {
	u64 by_fd[MAX_FDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[16]);           /* the program's name */
	__type(value, struct fd_counts); /* its write() calls per file descriptor */
} writes SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int on_write(struct trace_event_raw_sys_enter *ctx)
{
	static const struct fd_counts zero = {};
	u64 fd = ctx->args[0];
	char comm[16] = {};
	struct fd_counts *c;

	bpf_get_current_comm(comm, sizeof(comm));
	c = bpf_map_lookup_elem(&writes, comm);
	if (!c) {
		bpf_map_update_elem(&writes, comm, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&writes, comm);
		if (!c)
			return 0;
	}
	/* The proof the verifier needs: past this test, fd indexes inside by_fd[]. */
	if (fd >= MAX_FDS)
		return 0;
	__sync_fetch_and_add(&c->by_fd[fd], 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
