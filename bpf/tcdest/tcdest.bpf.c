// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * tcdest: packets and bytes per IPv4 destination, counted by a tc classifier on egress.
 *
 * A tc (sched_cls) program gets the kernel's socket buffer, struct __sk_buff: skb->len is the
 * packet's length and the headers are read with bpf_skb_load_bytes(), which checks the bounds for
 * us. It returns TC_ACT_OK so every packet goes on. Written for the egress of an interface (where
 * the exported loader attaches SEC("tc/egress")); the playground's Run attaches tc programs to the
 * ingress of its own veth, so there it counts the packets sent to 10.99.0.1.
 *
 * In the Packet lab, each preset shows up in the map under its destination address.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define TC_ACT_OK 0

struct dest_stats {
	u64 packets;
	u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32); /* IPv4 destination, as it is on the wire */
	__type(value, struct dest_stats);
} dests SEC(".maps");

SEC("tc/egress")
int tc_dest(struct __sk_buff *skb)
{
	struct dest_stats *s, fresh = { 1, skb->len };
	u32 daddr;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, daddr), &daddr, sizeof(daddr)) < 0)
		return TC_ACT_OK;
	s = bpf_map_lookup_elem(&dests, &daddr);
	if (s) {
		__sync_fetch_and_add(&s->packets, 1);
		__sync_fetch_and_add(&s->bytes, skb->len);
	} else {
		bpf_map_update_elem(&dests, &daddr, &fresh, BPF_NOEXIST);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
