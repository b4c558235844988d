// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 5: a log2 histogram of write() sizes per program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

struct hist {
	u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[16]);      /* the program's name */
	__type(value, struct hist); /* its writes, by size */
} hists SEC(".maps");

/* floor(log2(v)): the bucket of v (0 for 0 and 1). */
static __always_inline u32 log2_u64(u64 v)
{
	u32 r = 0;

	for (int i = 32; i > 0; i /= 2) {
		if (v >= (1ULL << i)) {
			v >>= i;
			r += i;
		}
	}
	return r;
}

SEC("tracepoint/syscalls/sys_enter_write")
int on_write(struct trace_event_raw_sys_enter *ctx)
{
	static const struct hist zero = {};
	char comm[16] = {};
	struct hist *h;
	u64 size = ctx->args[2];
	u32 slot = 0;

	bpf_get_current_comm(comm, sizeof(comm));
	h = bpf_map_lookup_elem(&hists, comm);
	if (!h) {
		bpf_map_update_elem(&hists, comm, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, comm);
		if (!h)
			return 0;
	}
	/* TODO: put the write in the bucket of its size, not always in bucket 0. */
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
