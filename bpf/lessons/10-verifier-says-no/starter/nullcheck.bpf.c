// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Lesson 10: make the verifier refuse this program by removing the NULL test. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);   /* process id */
	__type(value, u64); /* openat() calls */
} opens SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int count_opens(void *ctx)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	u64 zero = 0, *count;

	bpf_map_update_elem(&opens, &tgid, &zero, BPF_NOEXIST);
	count = bpf_map_lookup_elem(&opens, &tgid);
	if (!count) /* TODO: remove this test and see what the verifier says */
		return 0;
	__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
