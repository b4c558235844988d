#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "events.h"

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
