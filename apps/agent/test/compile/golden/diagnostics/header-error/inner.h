#ifndef INNER_H
#define INNER_H

static __always_inline int inner_limit(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data > MAX_LEN;
}
#endif
