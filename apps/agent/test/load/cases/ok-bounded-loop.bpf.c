// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: a correct program with a bounded loop and a subprogram, whose
 * stats show several states and a two-frame stack depth ("a+b"). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_ARGS 8

u32 nonempty_args;

static __noinline int arg_len(const char *const *argv, int i)
{
	const char *arg = NULL;
	char buf[16];

	if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
		return -1;
	return bpf_probe_read_user_str(buf, sizeof(buf), arg);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int count_args(struct trace_event_raw_sys_enter *ctx)
{
	const char *const *argv = (const char *const *)ctx->args[1];
	u32 n = 0;

	for (int i = 0; i < MAX_ARGS; i++) {
		int len = arg_len(argv, i);

		if (len < 0)
			break;
		if (len > 1)
			n++;
	}
	nonempty_args = n;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
