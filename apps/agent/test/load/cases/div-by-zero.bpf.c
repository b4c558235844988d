// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: the kernel still refuses a division by the constant 0. C code
 * cannot produce one (clang folds or traps it), so it is written in asm. A
 * division by a register that holds 0 is allowed and yields 0 at run time. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

u64 ratio;

SEC("tracepoint/syscalls/sys_enter_execve")
int divide(void *ctx)
{
	u64 r;

	asm volatile("%0 = 100; %0 /= 0" : "=r"(r));
	ratio = r;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
