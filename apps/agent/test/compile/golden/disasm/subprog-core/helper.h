static __always_inline int triple(int x)
{
	return x * 3;
}

static __noinline int count_up(int x)
{
	bpf_printk("tgid %d", x);
	return x + 1;
}
