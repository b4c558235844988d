// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* cpudist: on-CPU time per switch, tp_btf + raw_tp; start map sized by the loader. */
#define MAX_SLOTS 26
struct hist { u32 slots[MAX_SLOTS]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, u64); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, struct hist); } hists SEC(".maps");

static int on_switch(struct task_struct *prev, struct task_struct *next)
{
	u32 prev_pid = BPF_CORE_READ(prev, pid), pid = BPF_CORE_READ(next, pid), zero = 0;
	u64 ts = bpf_ktime_get_ns(), *tsp, d, slot = 0;
	struct hist *h;
	tsp = bpf_map_lookup_elem(&start, &prev_pid);
	if (tsp && ts > *tsp) {
		d = (ts - *tsp) / 1000;
		while (d > 1 && slot < MAX_SLOTS - 1) {
			d >>= 1;
			slot++;
		}
		h = bpf_map_lookup_elem(&hists, &zero);
		if (h)
			__sync_fetch_and_add(&h->slots[slot], 1);
	}
	bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(cpudist_btf, bool preempt, struct task_struct *prev, struct task_struct *next) { return on_switch(prev, next); }
SEC("raw_tp/sched_switch")
int BPF_PROG(cpudist_raw, bool preempt, struct task_struct *prev, struct task_struct *next) { return on_switch(prev, next); }
char LICENSE[] SEC("license") = "GPL";
