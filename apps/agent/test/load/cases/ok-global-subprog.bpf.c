// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: a correct program with a global function and a bpf_loop()
 * callback; the kernel checks the global function on its own and says so in
 * the log ("Func#2 ('add_one') is safe for any args ..."), a note, not an error. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

u64 total;

static long add_index(u32 i, void *ctx)
{
	total += i;
	return 0;
}

__noinline int add_one(int x)
{
	return x + 1;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int sum_up(void *ctx)
{
	bpf_loop(100, add_index, NULL, 0);
	total += add_one(3);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
