// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include <bpf/usdt.bpf.h>
/* pyflow: Python function calls through CPython's USDT probe (behind a semaphore libbpf sets). */
struct key_t { char func[48]; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, struct key_t); __type(value, u64); } calls SEC(".maps");

SEC("usdt//usr/bin/python3:python:function__entry")
int BPF_USDT(py_entry, const char *file, const char *func, int line)
{
	struct key_t key = {};
	u64 zero = 0, *v;
	bpf_probe_read_user_str(key.func, sizeof(key.func), func);
	bpf_map_update_elem(&calls, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&calls, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
