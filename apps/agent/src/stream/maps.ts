import type { BpfMap, BpfObject } from '@bpfplay/libbpf';
import { MAP_TYPE, numPossibleCpus } from '@bpfplay/libbpf';
import type { MapEntry, MapSnapshot, Value } from '@bpfplay/protocol';
import { kernelSymbols, symbolizeStack, type KernelSymbols } from './ksyms.js';
import { PRINTK_MAP } from './sources.js';

/** How a map's bytes become values; the BTF-backed implementation lives in stream/btf-decoder.ts. */
export interface MapDecoder {
  describe(map: BpfMap): {
    keyType?: string;
    valueType?: string;
    render: MapSnapshot['render'];
    bucketsPerKey?: boolean;
    unit?: string;
  };
  key(map: BpfMap, bytes: Uint8Array): Value;
  value(map: BpfMap, bytes: Uint8Array): Value;
  /** Sum of per-CPU values, when the value type is numeric (or a struct of numbers). */
  sum(map: BpfMap, values: Value[]): Value;
}

/** Maps whose contents are not a key→value table a person wants to read. */
const NOT_SNAPSHOTTED = new Set([
  MAP_TYPE.ringbuf,
  MAP_TYPE.perf_event_array,
  MAP_TYPE.user_ringbuf,
  MAP_TYPE.prog_array,
  MAP_TYPE.array_of_maps,
  MAP_TYPE.hash_of_maps,
  MAP_TYPE.cgroup_array,
  MAP_TYPE.devmap,
  MAP_TYPE.devmap_hash,
  MAP_TYPE.cpumap,
  MAP_TYPE.xskmap,
  MAP_TYPE.sockmap,
  MAP_TYPE.sockhash,
  MAP_TYPE.struct_ops,
  MAP_TYPE.bloom_filter,
  MAP_TYPE.queue,
  MAP_TYPE.stack,
  MAP_TYPE.arena,
  MAP_TYPE.task_storage,
  MAP_TYPE.inode_storage,
  MAP_TYPE.sk_storage,
  MAP_TYPE.cgrp_storage,
]);

/** clang's pools of string literals and constants (`.rodata.str1.1`, `.rodata.cst16`): not the user's variables. */
const LITERAL_POOL = /\.rodata\.(str|cst)/;

/** libbpf's own maps behind <bpf/usdt.bpf.h> (argument specs per probe site): not the program's data. */
const LIBBPF_INTERNAL = /^__bpf_usdt_/;

export function snapshotable(map: BpfMap): boolean {
  return (
    map.name !== PRINTK_MAP &&
    !LIBBPF_INTERNAL.test(map.name) &&
    !NOT_SNAPSHOTTED.has(map.type) &&
    !map.name.endsWith('.kconfig') &&
    !LITERAL_POOL.test(map.name)
  );
}

/** bpf_get_stackid(..., BPF_F_STACK_BUILD_ID) maps hold {status, build id, offset} records, not addresses. */
const BPF_F_STACK_BUILD_ID = 1 << 5;

/**
 * A stack_trace map: key = the stack id bpf_get_stackid() returned, value = its frames, symbolized.
 * Such maps rarely carry BTF (libbpf-tools declare them with key_size/value_size), so they are
 * decoded here by layout rather than by the object's BTF decoder.
 */
function snapshotStacks(map: BpfMap, snap: MapSnapshot, maxEntries: number, syms: KernelSymbols): void {
  snap.render = 'table';
  snap.keyType = 'u32 (stack id)';
  const buildIds = (map.flags & BPF_F_STACK_BUILD_ID) !== 0;
  // The column header is where a user looks when frames are numbers: say why there.
  snap.valueType = buildIds
    ? 'struct bpf_stack_build_id[]'
    : syms.unavailable
      ? `frames in hex (no kernel symbols: ${syms.unavailable})`
      : 'frames (kernel: func+0xoff, user: hex)';
  const { entries, more } = map.entries(maxEntries);
  snap.more = more;
  snap.entries = entries.map(({ key, value }) => ({
    key: key.readUInt32LE(0),
    value: buildIds ? { $hex: value.toString('hex') } : symbolizeCached(value, syms),
  }));
}

/**
 * Symbolized stacks by their raw bytes: symbolizing is what costs (a kallsyms lookup and a name per
 * frame), and a stack's bytes decide its frames. Without BPF_F_REUSE_STACKID an id keeps its stack,
 * so every snapshot after the first finds nearly all of them here. Bounded like the map itself.
 */
const symbolizedBy = new WeakMap<KernelSymbols, Map<string, string[]>>();
const MAX_CACHED = 20_000;

/** Per symbol table: the same bytes name different functions on a guest's kernel than on this one. */
function symbolizeCached(value: Buffer, syms: KernelSymbols = kernelSymbols()): string[] {
  let symbolized = symbolizedBy.get(syms);
  if (!symbolized) symbolizedBy.set(syms, (symbolized = new Map()));
  const k = value.toString('latin1');
  let frames = symbolized.get(k);
  if (!frames) {
    if (symbolized.size >= MAX_CACHED) symbolized.clear();
    frames = symbolizeStack(value, syms);
    symbolized.set(k, frames);
  }
  return frames;
}

/** One stack of a stack_trace map by id, as the snapshot shows it; undefined when the id is not there. */
export function readStack(obj: BpfObject, mapName: string, id: number): string[] | undefined {
  const map = obj.map(mapName);
  if (!map || map.type !== MAP_TYPE.stack_trace) return undefined;
  const key = Buffer.alloc(4);
  key.writeUInt32LE(id >>> 0);
  const value = map.lookup(key);
  return value ? symbolizeCached(value) : undefined;
}

function splitPerCpu(map: BpfMap, bytes: Buffer, cpus: number): Uint8Array[] {
  const slot = Math.ceil(map.valueSize / 8) * 8;
  const out: Uint8Array[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) out.push(bytes.subarray(cpu * slot, cpu * slot + map.valueSize));
  return out;
}

/** Where a snapshot's maps live: this kernel (the defaults), or a kernel-matrix guest (guest/guest-run.ts). */
export interface SnapshotSource {
  /** Possible CPUs of the kernel the maps live in: a per-CPU value holds one slot for each. */
  cpus?: number;
  /** That kernel's symbols, for stack trace maps. */
  symbols?: () => KernelSymbols;
}

/**
 * Integer values are drawn as counters over time, but not every integer counts: runqlat's `start`
 * holds when each thread became runnable (bpf_ktime_get_ns()), and a chart of those is a set of
 * rising lines that says nothing. Such values sit just below the kernel's monotonic clock, which
 * is the clock Node's hrtime reads; a map is a table of timestamps once most of its values do.
 * (A guest kernel's clock is not ours: there such maps stay counters.)
 */
const TIMESTAMP_WINDOW_NS = 3600e9;
const timestampMaps = new WeakMap<object, Set<string>>();

export function looksLikeTimestamps(entries: readonly MapEntry[], nowNs = Number(process.hrtime.bigint())): boolean {
  const values = entries.map((e) => (typeof e.value === 'number' ? e.value : Number(e.value)));
  if (values.length === 0) return false;
  const near = values.filter((v) => Number.isFinite(v) && v > 1e9 && v <= nowNs && nowNs - v < TIMESTAMP_WINDOW_NS);
  return near.length >= Math.ceil(values.length * 0.8);
}

/**
 * Maps nothing can change after load: libbpf's `.rodata` of the object, created read-only for the
 * program (BPF_F_RDONLY_PROG) and frozen against user space. Read once per object; the same snapshot
 * object is returned again (hello-world's `.rodata` was read and sent twice a second for the whole
 * run), so a caller can tell an unchanged one by identity.
 */
const BPF_F_RDONLY_PROG = 1 << 7;
const FROZEN_SECTION = /\.rodata(\.|$)/;
const frozenSnapshots = new WeakMap<object, Map<string, MapSnapshot>>();

/** One snapshot of every readable map of the object, each capped at `maxEntries` entries. */
export function snapshotMaps(
  obj: Pick<BpfObject, 'maps'>,
  decoder: MapDecoder,
  maxEntries: number,
  where: SnapshotSource = {},
): MapSnapshot[] {
  const cpus = where.cpus ?? numPossibleCpus();
  const out: MapSnapshot[] = [];
  let stamps = timestampMaps.get(obj);
  if (!stamps) timestampMaps.set(obj, (stamps = new Set()));
  let frozen = frozenSnapshots.get(obj);
  if (!frozen) frozenSnapshots.set(obj, (frozen = new Map()));
  for (const map of obj.maps()) {
    if (!snapshotable(map)) continue;
    const isFrozen = FROZEN_SECTION.test(map.name) && (map.flags & BPF_F_RDONLY_PROG) !== 0;
    const earlier = isFrozen ? frozen.get(map.name) : undefined;
    if (earlier) {
      out.push(earlier);
      continue;
    }
    const d = decoder.describe(map);
    const snap: MapSnapshot = {
      name: map.name,
      type: map.typeName,
      ...(d.keyType ? { keyType: d.keyType } : {}),
      ...(d.valueType ? { valueType: d.valueType } : {}),
      entries: [],
      more: 0,
      render: d.render,
      ...(d.unit ? { unit: d.unit } : {}),
    };
    try {
      if (map.type === MAP_TYPE.stack_trace) snapshotStacks(map, snap, maxEntries, (where.symbols ?? kernelSymbols)());
      else {
        const { entries, more } = map.entries(maxEntries);
        snap.more = more;
        snap.entries = entries.map(({ key, value }): MapEntry => {
          if (!map.perCpu) return { key: decoder.key(map, key), value: decoder.value(map, value) };
          const values = splitPerCpu(map, value, cpus).map((v) => decoder.value(map, v));
          return { key: decoder.key(map, key), value: decoder.sum(map, values), cpus: values };
        });
        if (d.bucketsPerKey) snap.entries = [foldBuckets(snap.entries)];
      }
      // Once a table of timestamps, always: a chart must not come and go between snapshots.
      if (snap.render === 'counters' && (stamps.has(map.name) || looksLikeTimestamps(snap.entries))) {
        stamps.add(map.name);
        snap.render = 'table';
        snap.valueType = `${snap.valueType ?? 'u64'} (timestamps, ns since boot)`;
      }
    } catch (e) {
      snap.error = (e as Error).message;
    }
    if (isFrozen && !snap.error) frozen.set(map.name, snap);
    out.push(snap);
  }
  return out;
}

/**
 * An array map used as a log2 histogram (key = bucket, value = count) becomes one entry whose value
 * is `{ slots: [...] }`, the same shape as a value struct with a `slots` member, so clients draw
 * both the same way.
 */
function foldBuckets(entries: MapEntry[]): MapEntry {
  const slots: Value[] = [];
  for (const e of entries) {
    const i = typeof e.key === 'number' ? e.key : Number(e.key);
    if (Number.isInteger(i) && i >= 0 && i < 4096) slots[i] = e.value;
  }
  for (let i = 0; i < slots.length; i++) slots[i] ??= 0;
  return { key: 'all', value: { slots } };
}

const hex = (b: Uint8Array): Value => ({ $hex: Buffer.from(b).toString('hex') });

export const hexMapDecoder: MapDecoder = {
  describe: (map) => ({ render: map.name.includes('.') ? 'globals' : 'table' }),
  key: (_m, b) => hex(b),
  value: (_m, b) => hex(b),
  sum: () => null,
};
