// SPDX-License-Identifier: GPL-2.0
/*
 * libcfunclat: latency of a libc function, as libbpf-tools' funclatency measures it, written with
 * the macros libbpf 1.2+ added: BPF_UPROBE / BPF_URETPROBE (typed arguments of a user function),
 * BPF_KSYSCALL (a syscall's arguments from a kprobe, on any architecture) and bpf_ksym_exists (does
 * this kernel have a symbol?). Debian 12's libbpf 1.1 has none of them; the playground compiles
 * against libbpf 1.4 (bookworm-backports).
 *
 * `libc.so.6` is resolved like the dynamic loader does (ld.so.cache) before the allowlist check. The
 * ksyscall variant needs kprobes, which this kernel lacks: it is switched off with a warning and its
 * tracepoint sibling counts the same syscall.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define MAX_SLOTS 27

struct hist {
	__u32 slots[MAX_SLOTS];
};

/* A kernel function, typeless: its address from kallsyms; __weak: the object loads without it too. */
extern const void vfs_read __ksym __weak;

const volatile pid_t targ_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u64);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct hist);
} hist SEC(".maps");

u64 calls = 0;
u64 syscalls = 0;
bool has_vfs_read = false;

SEC("uprobe/libc.so.6:getcwd")
int BPF_UPROBE(getcwd_entry, char *buf, size_t size)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	u64 ts = bpf_ktime_get_ns();

	if (targ_tgid && (id >> 32) != targ_tgid)
		return 0;
	has_vfs_read = bpf_ksym_exists(&vfs_read);
	bpf_map_update_elem(&starts, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("uretprobe/libc.so.6:getcwd")
int BPF_URETPROBE(getcwd_return, char *ret)
{
	u32 tid = bpf_get_current_pid_tgid(), zero = 0;
	u64 *tsp, delta, slot = 0;
	struct hist *h;

	tsp = bpf_map_lookup_elem(&starts, &tid);
	if (!tsp)
		return 0;
	delta = (bpf_ktime_get_ns() - *tsp) / 1000; /* microseconds */
	bpf_map_delete_elem(&starts, &tid);
	while (delta > 1 && slot < MAX_SLOTS - 1) {
		delta >>= 1;
		slot++;
	}
	h = bpf_map_lookup_elem(&hist, &zero);
	if (h)
		__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

SEC("ksyscall/getcwd")
int BPF_KSYSCALL(getcwd_syscall, char *buf, unsigned long size)
{
	__sync_fetch_and_add(&syscalls, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getcwd")
int getcwd_tp(struct trace_event_raw_sys_enter *ctx)
{
	__sync_fetch_and_add(&syscalls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
