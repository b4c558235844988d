import type { MapDefinition } from '@bpfplay/btf';
import { mapTypeName } from '@bpfplay/libbpf/names';
import type { MapSizeParam, ParamValue, Value } from '@bpfplay/protocol';

/**
 * Map sizes the playground sets as the program's loader (design.md, "The playground is the loader").
 * libbpf-tools programs leave some sizes to their C loader, which calls bpf_map__set_max_entries /
 * bpf_map__set_value_size between open and load: hash maps without `max_entries`, stack-trace maps
 * declared with only `key_size` (the loader sets `perf_max_stack_depth * sizeof(u64)`). Without a
 * loader such a map has size 0 and the kernel refuses it with a bare EINVAL. We give it the tools'
 * defaults, say so in a warning naming the map, and list the size as a parameter `map.<map>.<field>`
 * the user can change (Params panel, `--param map.start.max_entries=4096`). The same parameter
 * changes any map's size, as a loader may. Pure: decided on the agent from the object's BTF; the
 * runner (host or microVM guest) applies `sizes` after open, before the quota check and load.
 */
export const LOADER_DEFAULTS = {
  /** libbpf-tools' MAX_ENTRIES for maps keyed by pid, request or socket. */
  maxEntries: 10240,
  /**
   * Stacks a stack-trace map holds. libbpf-tools' default stack_storage_size is 1024; on a shared
   * machine that fills within seconds and later stacks are lost (-EEXIST): measured here, a 3 s
   * profile lost 375 of 399 samples with 1024. 10240 stacks of 127 frames are ~10 MiB.
   */
  stackEntries: 10240,
  /** libbpf-tools' default perf_max_stack_depth: 127 frames (the kernel's perf_event_max_stack) of u64. */
  stackDepth: 127,
  /** Bytes of a ring buffer (a power-of-two number of pages, as the kernel requires). */
  ringbufBytes: 256 * 1024,
} as const;

/**
 * Types the kernel refuses with max_entries 0 and a loader may size. Not perf_event_array (libbpf
 * uses the CPU count) nor local storage (must be 0).
 */
const NEEDS_ENTRIES = new Set([
  'hash',
  'array',
  'percpu_hash',
  'percpu_array',
  'stack_trace',
  'lru_hash',
  'lru_percpu_hash',
  'lpm_trie',
  'queue',
  'stack',
  'bloom_filter',
  'ringbuf',
  'devmap_hash',
  'prog_array',
]);

export interface MapSize {
  maxEntries?: number;
  valueSize?: number;
  keySize?: number;
}

export interface LoaderParam {
  name: string;
  type: string;
  value: Value;
  loader: MapSizeParam;
}

export interface MapSizing {
  /** Per map: what the runner sets after open (only the fields that change). */
  sizes: Record<string, MapSize>;
  /** The loader-chosen sizes, for the `params` frame (with the user's value when set). */
  params: LoaderParam[];
  /** One per map given a default, and one per override that could not be applied. */
  warnings: string[];
}

const PARAM = /^map\.([A-Za-z_]\w*)\.(max_entries|value_size)$/;

/** Whether a parameter name is a map size (`map.<map>.<field>`) rather than a `const volatile` knob. */
export function isMapSizeParam(name: string): boolean {
  return name.startsWith('map.');
}

/** The parameter values that are `const volatile` knobs (written into .rodata), without map sizes. */
export function knobValues(values: Record<string, ParamValue>): Record<string, ParamValue> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !isMapSizeParam(name)));
}

function defaultEntries(type: string): number {
  if (type === 'stack_trace') return LOADER_DEFAULTS.stackEntries;
  if (type === 'ringbuf') return LOADER_DEFAULTS.ringbufBytes;
  return LOADER_DEFAULTS.maxEntries;
}

function asSize(value: ParamValue): number | undefined {
  const n = typeof value === 'string' && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value) ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 0xffffffff ? n : undefined;
}

export function sizeMaps(defs: MapDefinition[], values: Record<string, ParamValue>): MapSizing {
  const sizes: Record<string, MapSize> = {};
  const params: LoaderParam[] = [];
  const warnings: string[] = [];
  const set = (map: string, size: MapSize) => (sizes[map] = { ...sizes[map], ...size });

  for (const def of defs) {
    if (def.type === undefined) continue;
    const type = mapTypeName(def.type);
    const chosen: string[] = [];
    if (NEEDS_ENTRIES.has(type) && !def.maxEntries) {
      const n = defaultEntries(type);
      set(def.name, { maxEntries: n });
      chosen.push(`max_entries ${n}`);
      params.push({
        name: `map.${def.name}.max_entries`,
        type: 'u32',
        value: n,
        loader: { map: def.name, field: 'max_entries', why: `${type} map ${def.name} declares no max_entries` },
      });
    }
    if (type === 'stack_trace' && !def.valueSize && def.valueTypeId === undefined) {
      const n = LOADER_DEFAULTS.stackDepth * 8;
      set(def.name, { valueSize: n, ...(def.keySize ? {} : { keySize: 4 }) });
      chosen.push(`value_size ${n} (${LOADER_DEFAULTS.stackDepth} frames of u64)`);
      params.push({
        name: `map.${def.name}.value_size`,
        type: 'u32',
        value: n,
        loader: { map: def.name, field: 'value_size', why: `stack_trace map ${def.name} declares no value_size` },
      });
    }
    if (chosen.length)
      warnings.push(
        `map ${def.name} (${type}) leaves ${chosen.length > 1 ? 'its sizes' : 'a size'} to the program's loader: the playground sets ${chosen.join(' and ')}; change with --param ${params
          .filter((p) => p.loader.map === def.name)
          .map((p) => `${p.name}=N`)
          .join(' ')} or in Params`,
      );
  }

  for (const [name, value] of Object.entries(values)) {
    if (!isMapSizeParam(name)) continue;
    const m = PARAM.exec(name);
    if (!m) {
      warnings.push(`parameter ${name}: map sizes are written map.<map>.max_entries or map.<map>.value_size`);
      continue;
    }
    const [, mapName, field] = m as unknown as [string, string, 'max_entries' | 'value_size'];
    const def = defs.find((d) => d.name === mapName);
    if (!def) {
      const known = defs.map((d) => d.name).join(', ') || 'none';
      warnings.push(`parameter ${name}: the program has no map named ${mapName} (maps: ${known})`);
      continue;
    }
    const n = asSize(value);
    if (n === undefined) {
      warnings.push(`parameter ${name}: ${JSON.stringify(value)} is not a size (an integer from 1 to 4294967295)`);
      continue;
    }
    if (field === 'value_size') {
      if (def.valueTypeId !== undefined) {
        warnings.push(
          `parameter ${name}: map ${mapName} declares its value type, which fixes value_size; only maps declared with __uint(value_size, ...) or none can be resized`,
        );
        continue;
      }
      if (def.type !== undefined && mapTypeName(def.type) === 'stack_trace' && n % 8 !== 0) {
        warnings.push(`parameter ${name}: a stack_trace value is an array of u64 frames; ${n} is not a multiple of 8`);
        continue;
      }
      set(mapName, { valueSize: n });
    } else set(mapName, { maxEntries: n });
    const listed = params.find((p) => p.name === name);
    if (listed) listed.value = n;
  }
  return { sizes, params, warnings };
}
