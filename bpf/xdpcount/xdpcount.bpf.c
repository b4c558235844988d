// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xdpcount: count packets per IP protocol at the earliest point the kernel sees them.
 *
 * XDP programs run in the network driver, before the kernel allocates anything for the packet, on
 * the raw bytes of the frame. They must prove to the verifier that every read stays inside
 * [data, data_end): each header is checked against data_end before it is touched.
 *
 * The playground attaches XDP programs to `play0`, one end of a veth pair in a private network
 * namespace, and sends UDP, TCP SYN and ICMP echo packets into it from the other end (`play1`,
 * 10.99.0.2 -> 10.99.0.1). Set drop_icmp to see XDP_DROP at work: the ICMP counter keeps rising,
 * but the kernel never answers those pings.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

/* Drop ICMP instead of passing it on. */
const volatile bool drop_icmp = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, u32);   /* IP protocol number: 1 ICMP, 6 TCP, 17 UDP */
	__type(value, u64); /* packets */
} packets SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	u64 one = 1, *count;
	u32 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	proto = ip->protocol;
	count = bpf_map_lookup_elem(&packets, &proto);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&packets, &proto, &one, BPF_NOEXIST);

	if (proto == IPPROTO_ICMP) {
		/* %pI4 prints an IPv4 address from a pointer to its 4 bytes. */
		bpf_printk("ICMP %pI4 -> %pI4%s", &ip->saddr, &ip->daddr, drop_icmp ? " dropped" : "");
		if (drop_icmp)
			return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
