// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* runqlat: tp_btf + raw_tp variants; start map sized by the loader; log2 histogram. */
#define MAX_SLOTS 26
#define TASK_RUNNING 0
struct hist { u32 slots[MAX_SLOTS]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, u64); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, struct hist); } hists SEC(".maps");

static int enqueue(u32 pid)
{
	u64 ts = bpf_ktime_get_ns();
	if (pid)
		bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
	return 0;
}

static int on_switch(struct task_struct *prev, struct task_struct *next)
{
	u32 pid = BPF_CORE_READ(next, pid), zero = 0;
	u64 *tsp, d, slot = 0;
	struct hist *h;
	if (BPF_CORE_READ(prev, __state) == TASK_RUNNING)
		enqueue(BPF_CORE_READ(prev, pid));
	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0;
	d = (bpf_ktime_get_ns() - *tsp) / 1000;
	bpf_map_delete_elem(&start, &pid);
	while (d > 1 && slot < MAX_SLOTS - 1) {
		d >>= 1;
		slot++;
	}
	h = bpf_map_lookup_elem(&hists, &zero);
	if (h)
		__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p) { return enqueue(p->pid); }
SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p) { return enqueue(BPF_CORE_READ(p, pid)); }
SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next) { return on_switch(prev, next); }
SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next) { return on_switch(prev, next); }
char LICENSE[] SEC("license") = "GPL";
