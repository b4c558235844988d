#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	int count = 0;
	count++;
	return coutn > 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
