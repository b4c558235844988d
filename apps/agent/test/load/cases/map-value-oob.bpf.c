// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: an off-by-one clamp (`> NSLOTS` instead of `>= NSLOTS`) lets
 * the histogram index reach one past the end of the map value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NSLOTS 16

struct hist {
	u64 slots[NSLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct hist);
} read_sizes SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int hist_read_sizes(struct trace_event_raw_sys_enter *ctx)
{
	u64 count = ctx->args[2];
	u32 zero = 0, slot;
	struct hist *h;

	h = bpf_map_lookup_elem(&read_sizes, &zero);
	if (!h)
		return 0;
	slot = 63 - __builtin_clzll(count | 1);
	if (slot > NSLOTS)
		slot = NSLOTS;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
