// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 9: count UDP packets per destination port with XDP. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u16);   /* UDP destination port, host byte order */
	__type(value, u64); /* packets */
} ports SEC(".maps");

SEC("xdp")
int count_ports(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	u64 one = 1, *count;
	u16 key;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	/* TODO: only UDP (ip->protocol == IPPROTO_UDP): read the UDP header after the IP header
	 * (ip->ihl * 4 bytes long; check it against data_end) and count its destination port. */
	key = ip->protocol;
	count = bpf_map_lookup_elem(&ports, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&ports, &key, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
