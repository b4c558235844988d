// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* softirqs: time in each softirq vector, tp_btf + raw_tp variants. */
#define NR_SOFTIRQS 10
struct irq_stat { u64 count; u64 time_ns; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, NR_SOFTIRQS); __type(key, u32); __type(value, struct irq_stat); } stats SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } start SEC(".maps");

static int entry(void)
{
	u64 ts = bpf_ktime_get_ns();
	u32 zero = 0;
	bpf_map_update_elem(&start, &zero, &ts, 0);
	return 0;
}

static int exit(unsigned int vec)
{
	u32 zero = 0, key = vec;
	u64 *tsp = bpf_map_lookup_elem(&start, &zero);
	struct irq_stat *st = bpf_map_lookup_elem(&stats, &key);
	if (!tsp || !st)
		return 0;
	__sync_fetch_and_add(&st->count, 1);
	__sync_fetch_and_add(&st->time_ns, bpf_ktime_get_ns() - *tsp);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(entry_btf, unsigned int vec) { return entry(); }
SEC("tp_btf/softirq_exit")
int BPF_PROG(exit_btf, unsigned int vec) { return exit(vec); }
SEC("raw_tp/softirq_entry")
int BPF_PROG(entry_raw, unsigned int vec) { return entry(); }
SEC("raw_tp/softirq_exit")
int BPF_PROG(exit_raw, unsigned int vec) { return exit(vec); }
char LICENSE[] SEC("license") = "GPL";
