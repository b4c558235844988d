// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: count openat() calls per process.
 *
 * The mistake: bpf_map_lookup_elem() returns NULL when the key is missing.
 * "But I inserted it on the line above!" -- another CPU can delete the entry
 * in between, the insert itself can fail when the map is full, and the
 * verifier does not reason about any of that anyway: the lookup's result is
 * `map_value_or_null` until a branch proves it is not NULL.
 *
 * The fix: test the pointer before using it.
 *
 *	count = bpf_map_lookup_elem(&opens, &tgid);
 *	if (!count)
 *		return 0;
 *	__sync_fetch_and_add(count, 1);
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u64);
} opens SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_opens(struct trace_event_raw_sys_enter *ctx)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	u64 zero = 0, *count;

	bpf_map_update_elem(&opens, &tgid, &zero, BPF_NOEXIST);
	count = bpf_map_lookup_elem(&opens, &tgid);
	__sync_fetch_and_add(count, 1); /* count may be NULL here */
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
