// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Broken on purpose: count the non-empty arguments of every execve().
 *
 * The mistake: `continue` in a while loop jumps straight back to the test,
 * past the `i++` at the bottom. One empty argument ("") and the loop reads
 * the same argument forever. The verifier walks the loop and finds itself at
 * the top of the body twice in exactly the same state, so it rejects the
 * program with "infinite loop detected" and points at the first line of the
 * loop body -- the line it saw twice.
 *
 * The fix: advance before skipping, or use a for loop, whose `i++` also runs
 * on `continue`:
 *
 *	for (i = 0; i < MAX_ARGS; i++) {
 *		...
 *		if (bpf_probe_read_user_str(buf, sizeof(buf), arg) <= 1)
 *			continue;
 *		nonempty++;
 *	}
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_ARGS 16

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u32);
} nonempty_args SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_args(struct trace_event_raw_sys_enter *ctx)
{
	const char *const *argv = (const char *const *)ctx->args[1];
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u32 nonempty = 0;
	char buf[32];
	int i = 0;

	while (i < MAX_ARGS) {
		const char *arg;

		bpf_probe_read_user(&arg, sizeof(arg), &argv[i]);
		if (!arg)
			break;
		if (bpf_probe_read_user_str(buf, sizeof(buf), arg) <= 1)
			continue; /* skips the i++ below */
		nonempty++;
		i++;
	}
	bpf_map_update_elem(&nonempty_args, &pid, &nonempty, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
