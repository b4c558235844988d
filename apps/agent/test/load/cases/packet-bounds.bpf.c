// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: an XDP program reads the Ethernet header without first
 * checking it lies before data_end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IPV6 0x86DD

SEC("xdp")
int drop_ipv6(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;

	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
