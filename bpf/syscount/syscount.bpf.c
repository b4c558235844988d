// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * syscount: how many times each system call is made, counted in the kernel.
 *
 * Nothing is sent per call: the program only bumps a counter in a hash map, and the playground
 * reads the map once a second. That is the cheapest way to watch something that happens
 * hundreds of thousands of times a second.
 *
 * raw_tp/sys_enter is the raw tracepoint behind every syscalls/sys_enter_* tracepoint: one
 * program sees all system calls, with the arguments as the kernel passed them (here the
 * registers and the syscall number) and without the formatting cost of a classic tracepoint.
 * Keys are syscall numbers; on x86-64 they are listed in /usr/include/x86_64-linux-gnu/asm/unistd_64.h
 * (0 read, 1 write, 59 execve, 257 openat, ...).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Count only this process (0: every process). */
const volatile pid_t targ_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024); /* more than there are syscalls */
	__type(key, u32);          /* syscall number */
	__type(value, u64);        /* calls: integer values are drawn as counters over time */
} counts SEC(".maps");

/* BPF_PROG unpacks the raw tracepoint's u64 argument array into typed, named parameters. */
SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	u32 key = id;
	u64 one = 1, *count;

	if (targ_pid && (bpf_get_current_pid_tgid() >> 32) != targ_pid)
		return 0;
	if (id < 0) /* -1: a ptrace'd task skipping the call */
		return 0;

	count = bpf_map_lookup_elem(&counts, &key);
	if (count)
		__sync_fetch_and_add(count, 1); /* other CPUs update the same counter */
	else /* first call of this number; if another CPU inserts it at the same moment, one count is lost */
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
