// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
/* xdpproto: packets per EtherType; the per-CPU counts map leaves max_entries to the loader. */
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __type(key, u16); __type(value, u64); } protos SEC(".maps");

SEC("xdp")
int count_proto(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	u64 zero = 0, *v;
	u16 proto;
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	proto = bpf_ntohs(eth->h_proto);
	bpf_map_update_elem(&protos, &proto, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&protos, &proto);
	if (v)
		(*v)++;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
