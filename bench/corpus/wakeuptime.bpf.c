// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* wakeuptime: who wakes whom, per waker kernel stack; tp_btf + raw_tp; maps sized by the loader. */
struct key_t { char waker[16]; char target[16]; int w_k_stack_id; };
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(key_size, sizeof(u32)); } stackmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct key_t); __type(value, u64); } counts SEC(".maps");

static int on_wakeup(void *ctx, struct task_struct *p)
{
	struct key_t key = {};
	u64 zero = 0, *v;
	bpf_get_current_comm(&key.waker, sizeof(key.waker));
	bpf_probe_read_kernel_str(&key.target, sizeof(key.target), p->comm);
	key.w_k_stack_id = bpf_get_stackid(ctx, &stackmap, 0);
	bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p) { return on_wakeup(ctx, p); }
SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p) { return on_wakeup(ctx, p); }
char LICENSE[] SEC("license") = "GPL";
