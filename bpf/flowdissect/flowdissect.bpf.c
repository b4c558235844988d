// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * flowdissect: a flow dissector for IPv4, which tells the kernel where a packet's flow is.
 *
 * The kernel parses headers to find a packet's flow (addresses, protocol, ports) for RSS, flow
 * hashing and tc flower. A SEC("flow_dissector") program replaces that parser for a network
 * namespace: it is given the packet (read-only) and skb->flow_keys, a struct bpf_flow_keys with
 * nhoff (where the network header starts) and n_proto (its EtherType) already set, and fills in the
 * rest. BPF_OK says the keys are good; BPF_DROP says the packet cannot be parsed.
 *
 * Attached, it would parse every packet of the namespace, so the playground only runs it in the
 * Packet lab (BPF_PROG_TEST_RUN), where the kernel returns the flow keys instead of a packet.
 * Try the UDP preset (ports 53000 → 53), ICMP (no ports), and ARP (not IPv4: BPF_DROP).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define IP_MF 0x2000     /* more fragments follow */
#define IP_OFFSET 0x1fff /* this fragment's place in the datagram, in 8-byte units */
/* The verifier must see a bound on an offset before it is added to a packet pointer. */
#define MAX_NHOFF 256

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, u8);    /* IP protocol number */
	__type(value, u64); /* packets dissected */
} protocols SEC(".maps");

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	u64 one = 1, *count;
	u16 nhoff = keys->nhoff, thoff;
	struct iphdr *ip;
	__be16 *ports;
	u8 proto;

	if (keys->n_proto != bpf_htons(ETH_P_IP) || nhoff > MAX_NHOFF)
		return BPF_DROP;
	ip = data + nhoff;
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return BPF_DROP;

	/* addr_proto is compared by the kernel in host order; the addresses stay as on the wire. */
	keys->addr_proto = ETH_P_IP;
	keys->ipv4_src = ip->saddr;
	keys->ipv4_dst = ip->daddr;
	keys->ip_proto = proto = ip->protocol;
	/* Kept in a variable: a bound the verifier saw on it does not carry over to keys->thoff read back. */
	keys->thoff = thoff = nhoff + ip->ihl * 4;

	count = bpf_map_lookup_elem(&protocols, &proto);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&protocols, &proto, &one, BPF_ANY);

	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		/* Only the first fragment carries the ports; the kernel's own dissector stops there too. */
		keys->is_frag = 1;
		keys->is_first_frag = !(ip->frag_off & bpf_htons(IP_OFFSET));
		return BPF_OK;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return BPF_OK;
	/* TCP and UDP both start with the source and destination ports. */
	ports = data + thoff;
	if ((void *)(ports + 2) > data_end)
		return BPF_DROP;
	keys->sport = ports[0];
	keys->dport = ports[1];
	return BPF_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
