/**
 * The libbpf program the editor-intelligence tests type into (test/lsp, test/cli/lsp-commands):
 * a ring buffer and a tracepoint handler holding `struct task_struct *task` and a reserved record
 * `e`, with `body` (lines, each starting with a tab) right after the reserve.
 */
export function execProgram(body = ''): string {
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} rb SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	void *e = bpf_ringbuf_reserve(&rb, 16, 0);
${body ? `${body}\n` : ''}	if (e)
		bpf_ringbuf_discard(e, 0);
	return 0;
}
`;
}
