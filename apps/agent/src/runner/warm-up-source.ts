/**
 * What idle runners load once to warm up (runner/warm-up.ts): a printk on a tracepoint with a ring
 * buffer record, the shape of most first programs, so the same libbpf and decoder paths get used.
 */
export const WARMUP_SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { __u32 pid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int bpfplay_warmup(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	bpf_printk("warm-up");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
