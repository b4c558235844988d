#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LIMIT 10
#define LIMIT 20

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	int unused_counter;
	int len = ctx->data_end - ctx->data;
	if (len = LIMIT)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
