// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: count syscalls per process, and keep a grand total.
 *
 * The mistake: the total is recomputed on every syscall by summing all
 * 131072 slots of the array. The loop is bounded, so it is legal C and even a
 * legal BPF loop -- but the verifier checks a bounded loop by walking every
 * iteration, and 131072 iterations of this body are more than the one million
 * instructions it will walk for one program. It gives up with "BPF program is
 * too large" (or, on the way there, "The sequence of 8193 jumps is too
 * complex"), pointing somewhere inside the loop.
 *
 * The fix: do less per event. Keep a running total instead of re-summing:
 *
 *	__sync_fetch_and_add(&total_syscalls, 1);
 *
 * or, when a long walk is really needed, bpf_loop() / bpf_for_each_map_elem(),
 * which the verifier checks once per callback instead of once per iteration,
 * or do the summing in user space where the map is read anyway.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* One slot per pid; pid_max is 32768 on small machines, 4194304 on big ones. */
#define MAX_PIDS 131072

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_PIDS);
	__type(key, u32);
	__type(value, u64);
} syscalls_by_pid SEC(".maps");

u64 total_syscalls = 0;

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 *count, sum = 0;

	count = bpf_map_lookup_elem(&syscalls_by_pid, &pid);
	if (count)
		__sync_fetch_and_add(count, 1);

	for (u32 i = 0; i < MAX_PIDS; i++) {
		count = bpf_map_lookup_elem(&syscalls_by_pid, &i);
		if (count)
			sum += *count;
	}
	total_syscalls = sum;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
