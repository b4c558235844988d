/**
 * UAPI enum values (stable kernel ABI) as names, for messages and the protocol. Numbers past the end
 * of these lists print as numbers: a newer kernel is not an error.
 */
const PROG_TYPES = [
  'unspec',
  'socket_filter',
  'kprobe',
  'sched_cls',
  'sched_act',
  'tracepoint',
  'xdp',
  'perf_event',
  'cgroup_skb',
  'cgroup_sock',
  'lwt_in',
  'lwt_out',
  'lwt_xmit',
  'sock_ops',
  'sk_skb',
  'cgroup_device',
  'sk_msg',
  'raw_tracepoint',
  'cgroup_sock_addr',
  'lwt_seg6local',
  'lirc_mode2',
  'sk_reuseport',
  'flow_dissector',
  'cgroup_sysctl',
  'raw_tracepoint_writable',
  'cgroup_sockopt',
  'tracing',
  'struct_ops',
  'ext',
  'lsm',
  'sk_lookup',
  'syscall',
  'netfilter',
];

const MAP_TYPES = [
  'unspec',
  'hash',
  'array',
  'prog_array',
  'perf_event_array',
  'percpu_hash',
  'percpu_array',
  'stack_trace',
  'cgroup_array',
  'lru_hash',
  'lru_percpu_hash',
  'lpm_trie',
  'array_of_maps',
  'hash_of_maps',
  'devmap',
  'sockmap',
  'cpumap',
  'xskmap',
  'sockhash',
  'cgroup_storage',
  'reuseport_sockarray',
  'percpu_cgroup_storage',
  'queue',
  'stack',
  'sk_storage',
  'devmap_hash',
  'struct_ops',
  'ringbuf',
  'inode_storage',
  'task_storage',
  'bloom_filter',
  'user_ringbuf',
  'cgrp_storage',
  'arena',
];

export const MAP_TYPE = Object.fromEntries(MAP_TYPES.map((n, i) => [n, i])) as Record<string, number>;
export const PROG_TYPE = Object.fromEntries(PROG_TYPES.map((n, i) => [n, i])) as Record<string, number>;

export function progTypeName(t: number): string {
  return PROG_TYPES[t] ?? `prog_type_${t}`;
}

export function mapTypeName(t: number): string {
  return MAP_TYPES[t] ?? `map_type_${t}`;
}

/** Per-CPU maps return one value slot per possible CPU, each rounded up to 8 bytes. */
export function isPerCpuMapType(t: number): boolean {
  const n = mapTypeName(t);
  return n === 'percpu_hash' || n === 'percpu_array' || n === 'lru_percpu_hash' || n === 'percpu_cgroup_storage';
}
