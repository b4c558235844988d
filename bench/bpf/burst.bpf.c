// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Throughput producer for the bench: every getppid() of the trigger process writes `burst` records
 * into a ring buffer with bpf_loop. It counts what it wrote and what the full ring refused in
 * `counts`, so a consumer's delivered + dropped can be checked against what really was produced.
 * The same object is read by the native libbpf consumer (native/ringbuf-consumer.c) and by the agent.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	__u64 seq;
	__u64 ts;
	__u32 pid;
	__u32 cpu;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* [0] records written, [1] records the full ring refused (bpf_ringbuf_reserve returned NULL). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

const volatile __u32 trigger_tgid = 0;
const volatile __u32 burst = 256;

struct burst_ctx {
	__u64 base;
	__u64 written;
	__u64 refused;
	__u32 pid;
};

static long write_one(__u32 i, void *ctx)
{
	struct burst_ctx *c = ctx;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		c->refused++;
		return 0;
	}
	e->seq = c->base + i;
	e->ts = bpf_ktime_get_ns();
	e->pid = c->pid;
	e->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	c->written++;
	return 0;
}

static __u64 next_seq;

SEC("tracepoint/syscalls/sys_enter_getppid")
int produce(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid != trigger_tgid)
		return 0;
	struct burst_ctx c = { .base = __sync_fetch_and_add(&next_seq, burst), .pid = tgid };
	bpf_loop(burst, write_one, &c, 0);
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, c.written);
	k = 1;
	v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, c.refused);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
