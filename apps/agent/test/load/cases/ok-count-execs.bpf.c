// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Golden case: a correct program, for the statistics of a successful load. */
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
	u64 one = 1, *n;

	n = bpf_map_lookup_elem(&execs, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&execs, &pid, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
