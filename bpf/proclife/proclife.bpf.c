// SPDX-License-Identifier: GPL-2.0
/*
 * proclife: how long processes live, as a log2 histogram of milliseconds.
 *
 * Written the way libbpf-tools write such tools: the `start` map has no max_entries, because the C
 * loader sets it from a command-line option before load (`bpf_map__set_max_entries(obj->maps.start,
 * env.max_pids)`). The playground plays that loader: it gives the map 10240 entries, warns naming the
 * map, and lists `map.start.max_entries` in Params (or `--param map.start.max_entries=4096`).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MAX_SLOTS 27

struct hist {
	__u32 slots[MAX_SLOTS];
};

const volatile bool targ_ms = true;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u32);
	__type(value, u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct hist);
} hists SEC(".maps");

static __always_inline u64 log2l(u64 v)
{
	u64 r = 0;

	while (v > 1 && r < MAX_SLOTS - 1) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("tracepoint/sched/sched_process_fork")
int handle_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	u32 pid = ctx->child_pid;
	u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 pid = id >> 32, tid = id, zero = 0;
	u64 *tsp, delta;
	struct hist *h;

	if (pid != tid) /* a thread, not the process */
		return 0;
	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0;
	delta = (bpf_ktime_get_ns() - *tsp) / (targ_ms ? 1000000 : 1000);
	bpf_map_delete_elem(&start, &pid);
	h = bpf_map_lookup_elem(&hists, &zero);
	if (h)
		__sync_fetch_and_add(&h->slots[log2l(delta)], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
