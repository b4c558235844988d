import { readdirSync } from 'node:fs';

/**
 * "Attach to everything" within the quota: one program on each of `count` syscall tracepoints, all
 * firing as the machine works. The run must attach every one, stream, stop, and leave nothing.
 */
export function everySyscall(prefix: string, count: number): { source: string; tracepoints: string[] } {
  const tracepoints = readdirSync('/sys/kernel/tracing/events/syscalls')
    .filter((d) => d.startsWith('sys_enter_'))
    .sort()
    .slice(0, count);
  const progs = tracepoints.map(
    (tp, i) =>
      `SEC("tp/syscalls/${tp}")\nint ${prefix}${i}(void *ctx)\n{\n\tu32 k = ${i};\n\tu64 *n = bpf_map_lookup_elem(&hits, &k);\n\tif (n)\n\t\t__sync_fetch_and_add(n, 1);\n\treturn 0;\n}\n`,
  );
  const source = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, ${count}); __type(key, u32); __type(value, u64); } hits SEC(".maps");
${progs.join('\n')}
char LICENSE[] SEC("license") = "GPL";
`;
  return { source, tracepoints };
}
