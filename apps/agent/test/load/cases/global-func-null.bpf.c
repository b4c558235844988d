// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: the NULL-check mistake inside a global function, which the
 * kernel verifies on its own after the main program ("Validating ...()"). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} calls SEC(".maps");

__noinline int bump(u32 key)
{
	u64 *n = bpf_map_lookup_elem(&calls, &key);

	*n += 1;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int count_calls(void *ctx)
{
	return bump(bpf_get_current_pid_tgid() >> 32);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
