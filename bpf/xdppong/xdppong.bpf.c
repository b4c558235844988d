// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xdppong: answer pings in XDP, before the kernel's network stack sees them.
 *
 * An ICMP echo request is turned into its echo reply in place: the Ethernet and IPv4 addresses are
 * swapped, the ICMP type goes from 8 to 0, and the program returns XDP_TX, which sends the frame
 * back out of the interface it came in on. Swapping the IPv4 addresses leaves the IPv4 checksum as
 * it was (the same words are summed); the ICMP checksum is updated for the one word that changed,
 * as RFC 1624 shows, instead of being summed again over the whole message.
 *
 * Try it in the Packet lab with the ICMP preset: the output is diffed against the input, and the
 * changed MACs, addresses, type and checksum are highlighted. Any other packet is passed on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_ALEN 6
#define ICMP_ECHO 8
#define ICMP_ECHOREPLY 0

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);   /* the pinging host's IPv4 address, as it is on the wire */
	__type(value, u64); /* replies sent to it */
} replies SEC(".maps");

/* RFC 1624: the new checksum when one 16-bit word of the message changes from `old` to `new`. */
static __always_inline u16 csum_replace(u16 csum, u16 old, u16 new)
{
	u32 sum = (u16)~bpf_ntohs(csum) + (u16)~bpf_ntohs(old) + bpf_ntohs(new);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return bpf_htons(~sum & 0xffff);
}

SEC("xdp")
int xdp_pong(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct icmphdr *icmp;
	unsigned char mac[ETH_ALEN];
	u64 one = 1, *count;
	u32 addr;
	u16 old;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_ICMP || ip->ihl != 5)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;

	/* type and code make up the message's first 16-bit word: the only one that changes. */
	old = bpf_htons(ICMP_ECHO << 8 | icmp->code);
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = csum_replace(icmp->checksum, old, bpf_htons(ICMP_ECHOREPLY << 8 | icmp->code));

	count = bpf_map_lookup_elem(&replies, &addr);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&replies, &addr, &one, BPF_NOEXIST);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
