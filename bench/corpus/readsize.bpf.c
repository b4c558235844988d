// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* readsize: bytes returned by read(2) per command, ksyscall + tracepoint; sized by the loader. */
struct key_t { char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __type(key, struct key_t); __type(value, u64); } bytes SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_read")
int read_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct key_t key = {};
	u64 zero = 0, *v;
	if (ctx->ret <= 0)
		return 0;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	bpf_map_update_elem(&bytes, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&bytes, &key);
	if (v)
		__sync_fetch_and_add(v, ctx->ret);
	return 0;
}

SEC("kretsyscall/read")
int BPF_KRETPROBE(read_ret, long ret)
{
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
