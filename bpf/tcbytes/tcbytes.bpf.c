// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * tcbytes: bytes per destination port, seen by a tc classifier and by a socket filter.
 *
 * Both program types get a struct __sk_buff: unlike XDP, the kernel has already built its socket
 * buffer, so skb->len, skb->protocol and bpf_skb_load_bytes() are available. The tc program is
 * attached to play0's ingress (the playground's private veth) and returns TC_ACT_OK (0) so every
 * packet continues; the socket filter runs for an AF_PACKET socket bound to play0 and returns how
 * many bytes of each packet that socket should receive (0: none).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u16);   /* TCP/UDP destination port */
	__type(value, u64); /* bytes */
} port_bytes SEC(".maps");

/* Packets the socket filter saw: a global in .bss, shown by name. */
u64 socket_packets = 0;

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
	struct iphdr ip;
	u16 dport;
	u64 len = skb->len, *bytes;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP)
		return 0;
	/* The destination port sits 2 bytes into both TCP and UDP headers. */
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4 + 2, &dport, sizeof(dport)) < 0)
		return 0;
	dport = bpf_ntohs(dport);
	bytes = bpf_map_lookup_elem(&port_bytes, &dport);
	if (bytes)
		__sync_fetch_and_add(bytes, len);
	else
		bpf_map_update_elem(&port_bytes, &dport, &len, BPF_NOEXIST);
	return 0; /* TC_ACT_OK */
}

SEC("socket")
int count_socket(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&socket_packets, 1);
	return 0; /* keep nothing: we only count */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
