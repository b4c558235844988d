#ifndef OUTER_H
#define OUTER_H
#include "inner.h"

static __always_inline int classify(struct xdp_md *ctx)
{
	return inner_limit(ctx) ? XDP_PASS : XDP_DROP;
}
#endif
