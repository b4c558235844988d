#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "outer.h"

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return classify(ctx);
}

char LICENSE[] SEC("license") = "GPL";
