// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * sockdns: a socket filter that lets only DNS queries through.
 *
 * A socket filter (SEC("socket"), attached with setsockopt(SO_ATTACH_BPF)) decides how much of each
 * packet its socket receives: it returns a byte count, and 0 means the socket never sees the packet.
 * This is what tcpdump's filters compile to (as classic BPF). Here: UDP to port 53 is kept whole,
 * everything else is dropped, and both are counted in an array indexed 0 (dropped) and 1 (kept).
 *
 * Where the packet's bytes start depends on the socket: at the Ethernet header on a packet socket
 * (AF_PACKET, what the playground's Run attaches to), at the IP header on an IP socket and in
 * BPF_PROG_TEST_RUN. bpf_skb_load_bytes_relative(..., BPF_HDR_START_NET) reads from the IP header
 * in every case, so the same filter works on all of them.
 * In the Packet lab, the UDP preset (a DNS query for example.com) is kept; TCP SYN and ICMP are not.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);   /* 0: dropped, 1: kept */
	__type(value, u64); /* packets */
} verdicts SEC(".maps");

static __always_inline int count(u32 kept, int ret)
{
	u64 *n = bpf_map_lookup_elem(&verdicts, &kept);

	if (n)
		__sync_fetch_and_add(n, 1);
	return ret;
}

SEC("socket")
int sock_dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	u16 dport;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return count(0, 0);
	if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET) < 0 || ip.protocol != IPPROTO_UDP)
		return count(0, 0);
	if (bpf_skb_load_bytes_relative(skb, ip.ihl * 4 + offsetof(struct udphdr, dest), &dport, sizeof(dport),
					BPF_HDR_START_NET) < 0)
		return count(0, 0);
	if (dport != bpf_htons(53))
		return count(0, 0);
	return count(1, skb->len);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
