// SPDX-License-Identifier: GPL-2.0
/*
 * profile: sample what the CPUs run and count user + kernel stacks per process, written the way
 * libbpf-tools' profile is: the stack map and the counts map leave their sizes to the loader
 * (`bpf_map__set_value_size(stackmap, perf_max_stack_depth * sizeof(u64))`,
 * `bpf_map__set_max_entries(..., stack_storage_size)`). Here the playground is that loader: it gives
 * them 127 frames and 1024 / 10240 entries, says so in a warning, and lists the sizes in Params.
 *
 * The samples are drawn as a flame graph (Maps pane): the command at the root, then user frames
 * (named for allowlisted binaries such as bash), then kernel frames from /proc/kallsyms.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

const volatile pid_t targ_pid = -1;
const volatile bool user_stacks_only = false;
const volatile bool kernel_stacks_only = false;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct key_t);
	__type(value, u64);
} counts SEC(".maps");

SEC("perf_event")
int do_perf_event(struct bpf_perf_event_data *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 pid = id >> 32;
	u32 tid = id;
	struct key_t key = {};
	u64 *valp, zero = 0;

	if (tid == 0) /* the idle task */
		return 0;
	if (targ_pid != -1 && targ_pid != pid)
		return 0;

	key.pid = pid;
	bpf_get_current_comm(&key.name, sizeof(key.name));
	key.kern_stack_id = user_stacks_only ? -1 : bpf_get_stackid(&ctx->regs, &stackmap, 0);
	key.user_stack_id = kernel_stacks_only ? -1 : bpf_get_stackid(&ctx->regs, &stackmap, BPF_F_USER_STACK);

	valp = bpf_map_lookup_elem(&counts, &key);
	if (!valp) {
		/* Another CPU may have created it meanwhile: BPF_NOEXIST fails then, and the lookup finds it. */
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		valp = bpf_map_lookup_elem(&counts, &key);
		if (!valp)
			return 0;
	}
	__sync_fetch_and_add(valp, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
