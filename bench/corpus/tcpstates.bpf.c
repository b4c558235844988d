// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* tcpstates: tp_btf and tracepoint variants of inet_sock_set_state. */
#define IPPROTO_TCP 6
struct event { u32 pid; int oldstate; int newstate; u16 sport; u16 dport; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } events SEC(".maps");

static int emit(int old, int new, u16 sport, u16 dport)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->oldstate = old;
	e->newstate = new;
	e->sport = sport;
	e->dport = dport;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(state_btf, const struct sock *sk, int oldstate, int newstate)
{
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	return emit(oldstate, newstate, sk->__sk_common.skc_num, bpf_ntohs(sk->__sk_common.skc_dport));
}

SEC("tracepoint/sock/inet_sock_set_state")
int state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	return emit(ctx->oldstate, ctx->newstate, ctx->sport, ctx->dport);
}
char LICENSE[] SEC("license") = "GPL";
