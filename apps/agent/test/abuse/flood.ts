/**
 * A program that produces records as fast as the kernel lets it, and counts in a map exactly how
 * many it produced (reserved and submitted), so the client can check produced = delivered + dropped.
 */
export function floodProgram(
  name: string,
  opts: { tracepoint?: string; perCall?: number; ringBytes?: number } = {},
): string {
  const tp = opts.tracepoint ?? 'raw_syscalls/sys_enter';
  return `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event { u64 seq; u32 cpu; u32 pid; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, ${opts.ringBytes ?? 1 << 20}); } flood SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } produced SEC(".maps");

static long emit(u32 i, void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&flood, sizeof(*e), 0);
	if (!e)
		return 1; /* ring full: not produced, stop this burst */
	e->seq = i;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(e, 0);
	u32 k = 0;
	u64 *n = bpf_map_lookup_elem(&produced, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

SEC("tp/${tp}")
int ${name}(void *ctx)
{
	bpf_loop(${opts.perCall ?? 64}, emit, 0, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
}

/** The `produced` counter from a run's last map snapshot. */
export function producedCount(
  messages: { type: string; maps?: { name: string; entries: { value: unknown }[] }[] }[],
): number | undefined {
  const last = messages.filter((m) => m.type === 'maps').at(-1);
  const map = last?.maps?.find((m) => m.name === 'produced');
  const v = map?.entries[0]?.value;
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : undefined;
}
