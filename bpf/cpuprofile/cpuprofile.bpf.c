// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Sample what every CPU is doing, 49 times a second, and count kernel stacks per process.
 *
 * The playground opens a software cpu-clock perf event on each CPU and attaches this program to
 * it, like `perf record -e cpu-clock -F 49 -a` would. Each tick interrupts whatever runs there and
 * calls us with the interrupted registers.
 *
 * bpf_get_stackid() walks the kernel stack and stores the return addresses in a
 * BPF_MAP_TYPE_STACK_TRACE map, returning an id: identical stacks get the same id, so a hot path
 * sampled a thousand times is stored once and the `counts` map stays small. The playground shows
 * the `stacks` map with each address named from /proc/kallsyms (`vfs_read+0x9a`).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cpuprofile.h"

/* Sample only this process (0: every process). Set it in the Parameters pane. */
const volatile pid_t targ_pid = 0;
/* Skip the idle task: a quiet machine is mostly idle, which would bury everything else. */
const volatile bool skip_idle = true;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 4096);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct key_t);
	__type(value, __u64);
} counts SEC(".maps");

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct key_t key = {};
	__u64 one = 1, *count;

	if (skip_idle && (__u32)id == 0) /* thread id 0 is the per-CPU idle task */
		return 0;
	if (targ_pid && pid != targ_pid)
		return 0;

	key.pid = pid;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	/* Flag 0 = kernel stack; BPF_F_USER_STACK would walk the user stack instead. */
	key.kern_stack_id = bpf_get_stackid(ctx, &stacks, 0);

	count = bpf_map_lookup_elem(&counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else {
		/* Two CPUs may race to create the entry; BPF_NOEXIST lets one win, the other retries. */
		if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
			count = bpf_map_lookup_elem(&counts, &key);
			if (count)
				__sync_fetch_and_add(count, 1);
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
