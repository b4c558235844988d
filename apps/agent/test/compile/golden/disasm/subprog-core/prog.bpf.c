#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "helper.h"

/* A local type with CO-RE relocations, so the golden does not depend on this kernel's BTF. */
struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	int tgid = BPF_CORE_READ(task, tgid);
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &key);

	if (v)
		*v += triple(tgid);
	return count_up(tgid);
}

char LICENSE[] SEC("license") = "GPL";
