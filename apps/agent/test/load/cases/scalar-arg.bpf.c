// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: the key is passed by value (cast to a pointer to silence the
 * compiler) where the helper wants its address. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} execs SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execs(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 *n;

	n = bpf_map_lookup_elem(&execs, (void *)(long)pid);
	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
