// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* vfsstat: fentry and kprobe variants only; a kernel without both runs nothing of it. */
u64 reads, writes;

SEC("fentry/vfs_read")
int BPF_PROG(read_fentry)
{
	__sync_fetch_and_add(&reads, 1);
	return 0;
}

SEC("kprobe/vfs_read")
int BPF_KPROBE(read_kprobe)
{
	__sync_fetch_and_add(&reads, 1);
	return 0;
}

SEC("fentry/vfs_write")
int BPF_PROG(write_fentry)
{
	__sync_fetch_and_add(&writes, 1);
	return 0;
}

SEC("kprobe/vfs_write")
int BPF_KPROBE(write_kprobe)
{
	__sync_fetch_and_add(&writes, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
