// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: an XDP program that counts packets per IP protocol.
 *
 * The mistake: the header is read with bpf_skb_load_bytes(), copied from a tc
 * (or socket filter) program. That helper works on an `struct __sk_buff`; an
 * XDP program runs before any sk_buff exists and its context is a
 * `struct xdp_md`. Each program type has its own list of helpers, and the
 * verifier refuses a call to one that is not on it: "program of this type
 * cannot use helper bpf_skb_load_bytes#26". (Both take `const void *`, so the
 * compiler cannot notice.)
 *
 * The fix: use the XDP flavour, or read the packet directly after a bounds
 * check against data_end:
 *
 *	if (bpf_xdp_load_bytes(ctx, 0, &eth, sizeof(eth)))
 *		return XDP_PASS;
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, u64);
} packets_by_proto SEC(".maps");

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	struct ethhdr eth;
	struct iphdr ip;
	u32 proto;
	u64 *count;

	if (bpf_skb_load_bytes(ctx, 0, &eth, sizeof(eth)))
		return XDP_PASS;
	if (eth.h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_skb_load_bytes(ctx, sizeof(eth), &ip, sizeof(ip)))
		return XDP_PASS;

	proto = ip.protocol;
	count = bpf_map_lookup_elem(&packets_by_proto, &proto);
	if (count)
		*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
