import { bpf, koffi } from './native.js';
import { checkInt } from './errors.js';
import { isPerCpuMapType, mapTypeName } from './names.js';

let possibleCpus: number | undefined;
export function numPossibleCpus(): number {
  possibleCpus ??= checkInt('libbpf_num_possible_cpus', bpf.num_possible_cpus());
  return possibleCpus;
}

export interface MapEntryBytes {
  key: Buffer;
  /** For per-CPU maps: the whole array, one 8-byte-aligned slot per possible CPU. */
  value: Buffer;
}

/** A map inside a BpfObject; metadata is readable after open, contents after load. */
export class BpfMap {
  constructor(
    private readonly p: bigint,
    private readonly isLoaded: () => boolean,
  ) {}

  get name(): string {
    return bpf.map_name(this.p);
  }
  get type(): number {
    return bpf.map_type(this.p);
  }
  get typeName(): string {
    return mapTypeName(this.type);
  }
  get fd(): number {
    return bpf.map_fd(this.p);
  }
  get keySize(): number {
    return bpf.map_key_size(this.p);
  }
  set keySize(n: number) {
    checkInt('bpf_map__set_key_size', bpf.map_set_key_size(this.p, n));
  }
  get valueSize(): number {
    return bpf.map_value_size(this.p);
  }
  /** Before load only, like maxEntries: what a C loader does for a stack-trace map's depth. */
  set valueSize(n: number) {
    checkInt('bpf_map__set_value_size', bpf.map_set_value_size(this.p, n));
  }
  get maxEntries(): number {
    return bpf.map_max_entries(this.p);
  }
  set maxEntries(n: number) {
    checkInt('bpf_map__set_max_entries', bpf.map_set_max_entries(this.p, n));
  }
  get flags(): number {
    return bpf.map_flags(this.p);
  }
  /** Where libbpf will pin the map at load (a `pinning` attribute), or null: set after open. */
  get pinPath(): string | null {
    return bpf.map_pin_path(this.p);
  }
  /**
   * A map-in-map's inner template: libbpf creates a map from it at load to tell the kernel the inner
   * shape, so it allocates memory like any map. Undefined for other maps.
   */
  innerMap(): BpfMap | undefined {
    const inner = bpf.map_inner_map(this.p);
    return inner === null || inner === 0n ? undefined : new BpfMap(inner, this.isLoaded);
  }
  get btfKeyTypeId(): number {
    return bpf.map_btf_key_type_id(this.p);
  }
  get btfValueTypeId(): number {
    return bpf.map_btf_value_type_id(this.p);
  }
  get perCpu(): boolean {
    return isPerCpuMapType(this.type);
  }
  /** Bytes a lookup writes: per-CPU maps hand back one rounded slot per possible CPU. */
  get lookupValueSize(): number {
    return this.perCpu ? Math.ceil(this.valueSize / 8) * 8 * numPossibleCpus() : this.valueSize;
  }

  /**
   * The initial contents of a global-data map (.rodata, .data, .bss) as a live view into libbpf's
   * copy: writing to it before load sets `const volatile` parameters. Undefined for other maps.
   */
  initialValue(): Uint8Array | undefined {
    if (this.isLoaded()) throw new Error(`map ${this.name}: initial value can only be changed before load`);
    const size: [number | null] = [null];
    const p = bpf.map_initial_value(this.p, size);
    if (p === null || p === 0n || !size[0]) return undefined;
    return new Uint8Array(koffi.view(p, size[0]));
  }

  lookup(key: Buffer): Buffer | undefined {
    const value = Buffer.alloc(this.lookupValueSize);
    const r = bpf.map_lookup_elem(this.fd, key, value);
    return r < 0 ? undefined : value;
  }

  /**
   * Up to `limit` entries, plus whether more exist. Keys are walked with get_next_key, so entries
   * deleted meanwhile are skipped rather than failing the snapshot.
   */
  entries(limit: number): { entries: MapEntryBytes[]; more: number } {
    const out: MapEntryBytes[] = [];
    const fd = this.fd;
    let prev: Buffer | null = null;
    let more = 0;
    // Counting the rest only walks keys; the cap stops a map that churns under us from looping forever.
    const cap = this.maxEntries + 1;
    for (let seen = 0; seen < cap; seen++) {
      const next = Buffer.alloc(this.keySize);
      if (bpf.map_get_next_key(fd, prev, next) < 0) break;
      if (out.length < limit) {
        const value = this.lookup(next);
        if (value) out.push({ key: next, value });
      } else more++;
      prev = next;
    }
    return { entries: out, more };
  }
}
