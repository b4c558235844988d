// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: count SIGKILLs sent on this machine in a global.
 *
 * The mistake: the program is declared `void`. Every BPF program returns a
 * value in register R0 (for a tracepoint it is ignored, but it must be set),
 * and a `void` function never writes R0 on its way out. The verifier sees the
 * `exit` instruction at the closing brace with R0 never written and stops with
 * "R0 !read_ok". It also prints a first, softer line: "Global function
 * count_sigkills() doesn't return scalar" -- the same mistake, seen from BTF.
 *
 * The fix: return int, and return 0 on every path.
 *
 *	int count_sigkills(struct trace_event_raw_sys_enter *ctx)
 *	{
 *		...
 *		return 0;
 *	}
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define SIGKILL 9

/* Globals live in a map libbpf creates for .bss; user space reads it. */
u64 sigkills = 0;

SEC("tracepoint/syscalls/sys_enter_kill")
void count_sigkills(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[1] == SIGKILL)
		__sync_fetch_and_add(&sigkills, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
