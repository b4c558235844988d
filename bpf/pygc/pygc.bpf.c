// SPDX-License-Identifier: GPL-2.0
/*
 * pygc: Python's garbage collector, from the USDT probes CPython ships (python:gc__start,
 * python:gc__done), the way libbpf-tools and bcc's lib tools read them: SEC("usdt/<binary>:<provider>:
 * <name>") and BPF_USDT, whose arguments libbpf decodes from the probe's ELF note.
 *
 * One event per collection: the generation collected, the objects it freed, and how long it took.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

struct event {
	__u32 pid;
	int generation;
	long collected;
	__u64 duration_ns;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct event);
} running SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("usdt//usr/bin/python3:python:gc__start")
int BPF_USDT(gc_start, int generation)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.generation = generation;
	e.duration_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_map_update_elem(&running, &tid, &e, BPF_ANY);
	return 0;
}

SEC("usdt//usr/bin/python3:python:gc__done")
int BPF_USDT(gc_done, long collected)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct event *start = bpf_map_lookup_elem(&running, &tid);
	struct event *e;

	if (!start)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		*e = *start;
		e->collected = collected;
		e->duration_ns = bpf_ktime_get_ns() - start->duration_ns;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&running, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
