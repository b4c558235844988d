// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* profileuser: user stacks only, sampled by perf_event; stack and counts maps sized by the loader. */
struct key_t { u32 pid; int user_stack_id; char name[16]; };
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(key_size, sizeof(u32)); } stackmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct key_t); __type(value, u64); } counts SEC(".maps");

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	struct key_t key = { .pid = bpf_get_current_pid_tgid() >> 32 };
	u64 zero = 0, *v;
	if (!key.pid)
		return 0;
	bpf_get_current_comm(&key.name, sizeof(key.name));
	key.user_stack_id = bpf_get_stackid(&ctx->regs, &stackmap, BPF_F_USER_STACK);
	bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
