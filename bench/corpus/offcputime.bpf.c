// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* offcputime: time blocked per kernel+user stack; stack map and info map sized by the loader. */
#define TASK_RUNNING 0
struct key_t { u32 pid; u32 tgid; int user_stack_id; int kern_stack_id; };
struct val_t { u64 delta; char comm[16]; };
struct internal_key { u64 start_ts; struct key_t key; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, struct internal_key); } start SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(key_size, sizeof(u32)); } stackmap SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct key_t); __type(value, struct val_t); } info SEC(".maps");

static int on_switch(void *ctx, struct task_struct *prev, struct task_struct *next)
{
	struct internal_key *ik, i_key = {};
	struct val_t *valp, zero = {};
	u32 pid = BPF_CORE_READ(prev, pid);
	u64 now, delta;

	if (pid) {
		i_key.key.pid = pid;
		i_key.key.tgid = BPF_CORE_READ(prev, tgid);
		i_key.start_ts = bpf_ktime_get_ns();
		i_key.key.user_stack_id = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
		i_key.key.kern_stack_id = bpf_get_stackid(ctx, &stackmap, 0);
		bpf_map_update_elem(&start, &pid, &i_key, 0);
		bpf_probe_read_kernel_str(&zero.comm, sizeof(zero.comm), prev->comm);
		bpf_map_update_elem(&info, &i_key.key, &zero, BPF_NOEXIST);
	}
	pid = BPF_CORE_READ(next, pid);
	ik = bpf_map_lookup_elem(&start, &pid);
	if (!ik)
		return 0;
	now = bpf_ktime_get_ns();
	if (now < ik->start_ts)
		goto cleanup;
	delta = (now - ik->start_ts) / 1000;
	valp = bpf_map_lookup_elem(&info, &ik->key);
	if (valp)
		__sync_fetch_and_add(&valp->delta, delta);
cleanup:
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next) { return on_switch(ctx, prev, next); }
SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next) { return on_switch(ctx, prev, next); }
char LICENSE[] SEC("license") = "GPL";
