// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* forkstat: forks per parent command, tp_btf + raw_tp; counts map sized by the loader. */
struct key_t { char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct key_t); __type(value, u64); } forks SEC(".maps");

static int count(struct task_struct *parent)
{
	struct key_t key = {};
	u64 zero = 0, *v;
	bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), parent->comm);
	bpf_map_update_elem(&forks, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&forks, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child) { return count(parent); }
SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child) { return count(parent); }
char LICENSE[] SEC("license") = "GPL";
