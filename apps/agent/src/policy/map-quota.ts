/**
 * The map-memory quota of a run: what the kernel will allocate (or let the program fill) for its maps,
 * computed from the object before load so a snippet asking for GiBs is refused with a message rather
 * than an OOM, an ENOMEM from the kernel, or a host that slows to a crawl.
 *
 * The estimate is the rule, "max_entries × (key + value)", with the cases where the kernel's
 * own arithmetic differs: per-CPU maps hold one 8-byte-aligned value per possible CPU, a ring
 * buffer's max_entries is its size in bytes, an arena's is pages, and a perf event array's buffers
 * are allocated by the agent (PERF_PAGES per CPU). Per-element kernel overhead is not counted; the
 * limit is a quota, not an accountant.
 */

export interface MapShape {
  name: string;
  /** libbpf's map type name (`hash`, `percpu_array`, `ringbuf`, ...). */
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

/** Pages per CPU the agent's perf buffer reader maps (stream/sources.ts). */
export const PERF_PAGES = 64;
const PAGE = 4096;

const PER_CPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage']);

export function mapBytes(m: MapShape, cpus: number): number {
  switch (m.type) {
    case 'ringbuf':
    case 'user_ringbuf':
      return m.maxEntries;
    case 'arena':
      return m.maxEntries * PAGE;
    case 'perf_event_array':
      return PERF_PAGES * PAGE * cpus + (m.keySize + m.valueSize) * m.maxEntries;
    default: {
      const value = PER_CPU.has(m.type) ? Math.ceil(m.valueSize / 8) * 8 * cpus : m.valueSize;
      // Local storage maps have max_entries 0: one value per task/socket/inode that gets one.
      return (m.keySize + value) * Math.max(1, m.maxEntries);
    }
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} bytes`;
}

export interface MapQuotaResult {
  totalBytes: number;
  /** Largest first. */
  maps: { name: string; bytes: number }[];
  /** Set when the run is over its quota: the sentence the user sees. */
  error?: string;
}

export function checkMapQuota(maps: MapShape[], limitBytes: number, cpus: number): MapQuotaResult {
  const sized = maps.map((m) => ({ m, bytes: mapBytes(m, cpus) })).sort((a, b) => b.bytes - a.bytes);
  const totalBytes = sized.reduce((n, x) => n + x.bytes, 0);
  const result: MapQuotaResult = { totalBytes, maps: sized.map(({ m, bytes }) => ({ name: m.name, bytes })) };
  if (totalBytes <= limitBytes) return result;
  const worst = sized
    .slice(0, 3)
    .map(({ m, bytes }) => `${m.name} (${m.type}) ${formatBytes(bytes)}: ${describe(m, cpus)}`)
    .join('; ');
  result.error =
    `the run's maps need ${formatBytes(totalBytes)} and the agent allows ${formatBytes(limitBytes)} per run (map memory quota). ` +
    `Largest: ${worst}. Lower max_entries (or the value size) and run again.`;
  return result;
}

function describe(m: MapShape, cpus: number): string {
  // libbpf turns .bss/.data/.rodata into one-entry arrays named "<object>.bss" etc.
  if (/\.(bss|data|rodata)(\.|$)/.test(m.name) && m.maxEntries === 1)
    return `its global variables take ${m.valueSize} bytes`;
  switch (m.type) {
    case 'ringbuf':
    case 'user_ringbuf':
      return `max_entries ${m.maxEntries} is its size in bytes`;
    case 'arena':
      return `${m.maxEntries} pages`;
    case 'perf_event_array':
      return `${PERF_PAGES} pages of buffer on each of ${cpus} CPUs`;
    default:
      return PER_CPU.has(m.type)
        ? `${m.maxEntries} entries × (${m.keySize} + ${m.valueSize} × ${cpus} CPUs) bytes`
        : `${m.maxEntries} entries × (${m.keySize} + ${m.valueSize}) bytes`;
  }
}
