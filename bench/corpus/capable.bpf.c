// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* capable: fentry and kprobe variants of cap_capable only; needs one of the two. */
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, int); __type(value, u64); } caps SEC(".maps");

static int count(int cap)
{
	u64 zero = 0, *v;
	bpf_map_update_elem(&caps, &cap, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&caps, &cap);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("fentry/cap_capable")
int BPF_PROG(cap_fentry, const struct cred *cred, struct user_namespace *ns, int cap) { return count(cap); }
SEC("kprobe/cap_capable")
int BPF_KPROBE(cap_kprobe, const struct cred *cred, struct user_namespace *ns, int cap) { return count(cap); }
char LICENSE[] SEC("license") = "GPL";
