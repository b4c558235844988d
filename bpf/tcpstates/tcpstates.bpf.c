// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * tcpstates: TCP connections changing state, and how long they stayed in the previous one.
 *
 * sock/inet_sock_set_state is a tracepoint on the socket state machine: it observes traffic
 * without touching it (nothing is attached to an interface). A connect() to a closed port goes
 * CLOSE → SYN_SENT, then back to CLOSE when the RST arrives.
 *
 * The socket's address is the key of a hash map holding when it entered its current state.
 * Note the pid: the change to SYN_SENT happens in connect(), in the process; later changes
 * often happen in softirq context, in whatever process the CPU happened to be running.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tcpstates.h"

#define AF_INET 2
#define IPPROTO_TCP 6

/* Only connections to or from this port (0: any), in host byte order. */
const volatile __u16 targ_port = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, const void *); /* struct sock *, used only as an identity */
	__type(value, __u64);      /* when it entered its current state */
} timestamps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const void *sk = ctx->skaddr;
	__u64 *tsp, ts = bpf_ktime_get_ns();
	struct event *e;

	if (ctx->protocol != IPPROTO_TCP || ctx->family != AF_INET) /* IPv6 is left as an exercise */
		return 0;
	/* The tracepoint already converted the ports to host byte order. */
	if (targ_port && ctx->sport != targ_port && ctx->dport != targ_port)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	tsp = bpf_map_lookup_elem(&timestamps, &sk);
	e->delta_us = tsp ? (ts - *tsp) / 1000 : 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->family = ctx->family;
	e->sport = ctx->sport;
	e->dport = ctx->dport;
	__builtin_memcpy(e->saddr, ctx->saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, ctx->daddr, sizeof(e->daddr));
	e->oldstate = ctx->oldstate;
	e->newstate = ctx->newstate;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);

	/* A closed socket's address will be reused by another socket: forget it. */
	if (ctx->newstate == TCPS_CLOSE)
		bpf_map_delete_elem(&timestamps, &sk);
	else
		bpf_map_update_elem(&timestamps, &sk, &ts, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
