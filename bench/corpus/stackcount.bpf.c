// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* stackcount: kernel + user stacks of write(2) callers; maps sized by the loader. */
struct key_t { u32 pid; int user_stack_id; int kern_stack_id; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(key_size, sizeof(u32)); } stackmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct key_t); __type(value, u64); } counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int write_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct key_t key = { .pid = bpf_get_current_pid_tgid() >> 32 };
	u64 zero = 0, *v;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	key.kern_stack_id = bpf_get_stackid(ctx, &stackmap, 0);
	key.user_stack_id = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
	bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
