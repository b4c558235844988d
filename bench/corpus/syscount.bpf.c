// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* syscount: raw_tp and tracepoint variants of sys_enter; counts map sized by the loader. */
const volatile pid_t filter_pid = 0;
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, u64); } counts SEC(".maps");

static int count(u32 id)
{
	u64 zero = 0, *v;
	if (filter_pid && (bpf_get_current_pid_tgid() >> 32) != filter_pid)
		return 0;
	bpf_map_update_elem(&counts, &id, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&counts, &id);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id) { return count(id); }

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter_tp(struct trace_event_raw_sys_enter *ctx) { return count(ctx->id); }
char LICENSE[] SEC("license") = "GPL";
