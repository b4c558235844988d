// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: a u8 counter can never reach 256, so `i < 256` is always true
 * (clang warns) and the loop only ends through its break. The verifier keeps
 * one pending branch per iteration and gives up at 8192 of them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, u64);
} slots SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int claim_slot(void *ctx)
{
	u64 now = bpf_ktime_get_ns();

	for (u8 i = 0; i < 256; i++) {
		u32 key = i;
		u64 *v = bpf_map_lookup_elem(&slots, &key);

		if (v && *v == 0) {
			*v = now;
			break;
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
