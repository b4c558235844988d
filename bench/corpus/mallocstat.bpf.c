// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* mallocstat: a log2 histogram of malloc sizes in libc, BPF_UPROBE with typed arguments. */
#define MAX_SLOTS 32
struct hist { u32 slots[MAX_SLOTS]; };
const volatile pid_t targ_tgid = 0;
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, struct hist); } hists SEC(".maps");

SEC("uprobe/libc.so.6:malloc")
int BPF_UPROBE(malloc_enter, size_t size)
{
	u32 zero = 0;
	u64 slot = 0;
	struct hist *h;
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return 0;
	while (size > 1 && slot < MAX_SLOTS - 1) {
		size >>= 1;
		slot++;
	}
	h = bpf_map_lookup_elem(&hists, &zero);
	if (h)
		h->slots[slot]++;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
