// SPDX-License-Identifier: GPL-2.0
/*
 * openstacks: who opens which file, and through which code path. Each openat() becomes a ring
 * buffer record carrying the kernel stack and the user stack of the call, taken with
 * bpf_get_stack() straight into the reserved record, the way libbpf-bootstrap's profile does.
 *
 * Why bpf_get_stack() and not bpf_get_stackid() + a stack map: the frames travel with the event,
 * so each record says exactly how it got here, and no map has to be sized or can fill up. The
 * playground names the frames (kernel ones from /proc/kallsyms, user ones of allowlisted binaries
 * such as libc from their symbols), lists them in the record's detail, and adds the stacks of all
 * records up into a flame graph (Maps pane). Most distributions build libc without frame
 * pointers, so a user stack usually ends after the libc frame that made the syscall.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "openstacks.h"

const volatile pid_t targ_pid = -1;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	/* 1 MiB: ~1700 records, room for a process starting up (python3 opens hundreds of files). */
	__uint(max_entries, 1024 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct event *e;

	if (targ_pid != -1 && targ_pid != pid)
		return 0;

	/* The record is 600 bytes: more than the 512-byte BPF stack, so it is built in the ring itself. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;

	e->pid = pid;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(&e->filename, sizeof(e->filename), (const char *)ctx->args[1]);
	/* Returns the bytes written (or a negative error) and zero-fills the rest of the array. */
	e->kstack_sz = bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);
	e->ustack_sz = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack), BPF_F_USER_STACK);

	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
