// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * opensnoop: every file opened, with the result.
 *
 * The file name is an argument (known at syscall entry) and the result is the return value
 * (known at exit), so two tracepoints cooperate: the entry stores the arguments in a hash map
 * keyed by thread id, the exit looks them up, sends one event and deletes the entry. A thread
 * runs one syscall at a time, so the thread id is a safe key.
 *
 * Modern programs open files with openat(); old-style open() has its own tracepoints, and
 * libbpf-tools' opensnoop attaches to both. One is enough for `cat`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "opensnoop.h"

/* Only this process (0: all). */
const volatile pid_t targ_pid = 0;
/* Only failed opens: a quick way to find what a program looks for and does not find. */
const volatile bool targ_failed = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct args_t);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	struct args_t args = {};

	if (targ_pid && (id >> 32) != targ_pid)
		return 0;

	/* openat(dirfd, pathname, flags, mode): the name is a user-space pointer, read at exit. */
	args.fname = (const char *)ctx->args[1];
	args.flags = (int)ctx->args[2];
	bpf_map_update_elem(&start, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int trace_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	struct args_t *ap;
	struct event *e;
	int ret = ctx->ret;

	ap = bpf_map_lookup_elem(&start, &tid);
	if (!ap)
		return 0; /* the entry happened before we attached, or was filtered out */
	if (targ_failed && ret >= 0)
		goto cleanup;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto cleanup;
	e->pid = id >> 32;
	e->uid = (u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->flags = ap->flags;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	/* Still valid: the process is inside the same syscall and has not freed its string. */
	bpf_probe_read_user_str(&e->fname, sizeof(e->fname), ap->fname);
	bpf_ringbuf_submit(e, 0);

cleanup:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
