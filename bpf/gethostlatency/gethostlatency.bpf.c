// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * gethostlatency: name lookups made through libc, and how long each took.
 *
 * A uprobe fires when a process enters a function of a user-space binary or library, a
 * uretprobe when it returns. Put on the C library's getaddrinfo(), the pair sees the host name
 * at entry and the result at return, in every program that resolves names through libc (curl,
 * ssh, getent...), without changing any of them.
 *
 * The entry and the return meet through a hash map keyed by thread id. The path is where
 * Debian and Ubuntu keep libc on x86-64; the agent only lets uprobes attach to binaries on
 * its allowlist.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "gethostlatency.h"

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

/* Only this process (0: all). */
const volatile pid_t targ_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct event);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) */
SEC("uprobe/" LIBC ":getaddrinfo")
int BPF_KPROBE(getaddrinfo_enter, const char *node)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	struct event e = {};

	if (targ_tgid && (id >> 32) != targ_tgid)
		return 0;
	e.pid = id >> 32;
	/* time_us holds the start time until the return probe turns it into a duration. */
	e.time_us = bpf_ktime_get_ns();
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(&e.host, sizeof(e.host), node);
	bpf_map_update_elem(&starts, &tid, &e, BPF_ANY);
	return 0;
}

SEC("uretprobe/" LIBC ":getaddrinfo")
int BPF_KRETPROBE(getaddrinfo_return, int ret)
{
	u32 tid = bpf_get_current_pid_tgid();
	struct event *e, *out;

	e = bpf_map_lookup_elem(&starts, &tid);
	if (!e)
		return 0;
	out = bpf_ringbuf_reserve(&events, sizeof(*out), 0);
	if (out) {
		*out = *e;
		out->time_us = (bpf_ktime_get_ns() - e->time_us) / 1000;
		out->eai = ret;
		bpf_ringbuf_submit(out, 0);
	}
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
