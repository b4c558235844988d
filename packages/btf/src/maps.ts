/**
 * Map definitions as libbpf reads them from BTF (`.maps` section): `__uint(type, ...)` is encoded as
 * `int (*type)[N]`, `__type(key, T)` as `T *key`. Also the playground's annotations on map variables:
 * `__attribute__((btf_decl_tag("bpfplay.record:<type>")))` and `btf_decl_tag("bpfplay.render:log2-hist")`.
 */
import type { Btf } from './btf.js';

export const RECORD_TAG = 'bpfplay.record:';
export const RENDER_TAG = 'bpfplay.render:';
export const UNIT_TAG = 'bpfplay.unit:';

export interface MapDefinition {
  name: string;
  /** The map's VAR type id. */
  varId: number;
  /** BPF_MAP_TYPE_* number. */
  type?: number;
  maxEntries?: number;
  keyTypeId?: number;
  valueTypeId?: number;
  keySize?: number;
  valueSize?: number;
  /** `__uint(pinning, ...)`: non-zero asks libbpf to pin the map in bpffs (and to reuse a map pinned there). */
  pinning?: number;
  mapFlags?: number;
  /**
   * Map-in-map: the inner map's definition, `__array(values, struct { ... })`. libbpf creates a map
   * from it at load (to give the kernel the inner map's shape), so it costs memory like any map.
   */
  inner?: MapDefinition;
  /** All decl tags on the variable, e.g. `bpfplay.record:event`. */
  tags: string[];
  /** Value of a `bpfplay.render:` tag, e.g. `log2-hist`. */
  render?: string;
  /** Value of a `bpfplay.unit:` tag, e.g. `us` (BPFPLAY_UNIT). */
  unit?: string;
}

export function mapDefinitions(btf: Btf): MapDefinition[] {
  const sec = btf.find('.maps', 'datasec');
  if (!sec) return [];
  const out: MapDefinition[] = [];
  for (const vs of sec.vars) {
    const v = btf.type(vs.type);
    if (v.kind !== 'var') continue;
    const def: MapDefinition = { name: v.name, varId: v.id, tags: btf.declTags(v.id) };
    const render = def.tags.find((t) => t.startsWith(RENDER_TAG));
    if (render) def.render = render.slice(RENDER_TAG.length);
    const unit = def.tags.find((t) => t.startsWith(UNIT_TAG));
    if (unit) def.unit = unit.slice(UNIT_TAG.length);
    readMapFields(btf, v.type, def, 0);
    out.push(def);
  }
  return out;
}

/** The members of a map definition struct, as libbpf's parse_btf_map_def reads them. */
function readMapFields(btf: Btf, structId: number, def: MapDefinition, depth: number): void {
  const st = btf.resolve(structId);
  if (st.kind !== 'struct') return;
  for (const m of st.members) {
    const p = btf.resolve(m.type);
    if (m.name === 'values' && p.kind === 'array' && depth === 0) {
      // `__array(values, struct { ... })`: an array of pointers to the inner map's definition (for a
      // prog array, to a function prototype: no map).
      const elem = btf.resolve(p.type);
      const target = elem.kind === 'ptr' ? btf.resolve(elem.type) : undefined;
      if (target?.kind === 'struct') {
        const inner: MapDefinition = { name: `${def.name}.inner`, varId: def.varId, tags: [] };
        readMapFields(btf, target.id, inner, depth + 1);
        def.inner = inner;
      }
      continue;
    }
    if (p.kind !== 'ptr') continue;
    const target = btf.resolve(p.type);
    const n = target.kind === 'array' ? target.nelems : undefined;
    if (m.name === 'type' && n !== undefined) def.type = n;
    else if (m.name === 'max_entries' && n !== undefined) def.maxEntries = n;
    else if (m.name === 'key_size' && n !== undefined) def.keySize = n;
    else if (m.name === 'value_size' && n !== undefined) def.valueSize = n;
    else if (m.name === 'pinning' && n !== undefined) def.pinning = n;
    else if (m.name === 'map_flags' && n !== undefined) def.mapFlags = n;
    else if (m.name === 'key') {
      def.keyTypeId = p.type;
      def.keySize = btf.trySizeOf(p.type);
    } else if (m.name === 'value') {
      def.valueTypeId = p.type;
      def.valueSize = btf.trySizeOf(p.type);
    }
  }
}

export type RecordTypeResult =
  { ok: true; typeId: number; typeName: string; source: 'annotation' | 'default' } | { ok: false; reason: string };

/**
 * The record type of a ring/perf buffer map: the `bpfplay.record:<type>` tag on the map variable wins,
 * else a struct named `event`. `<type>` may be `event`, `struct event`, `union u` or a typedef name.
 */
export function findRecordType(btf: Btf, mapName: string): RecordTypeResult {
  const def = mapDefinitions(btf).find((d) => d.name === mapName);
  const tag = def?.tags.find((t) => t.startsWith(RECORD_TAG));
  if (tag) {
    const wanted = tag.slice(RECORD_TAG.length).trim();
    const id = typeByCName(btf, wanted);
    if (id === undefined) {
      return {
        ok: false,
        reason: `map ${mapName} is annotated bpfplay.record:${wanted}, but the program defines no type named \`${wanted}\`; check the spelling in the annotation`,
      };
    }
    return { ok: true, typeId: id, typeName: wanted, source: 'annotation' };
  }
  const ev = btf.find('event', 'struct');
  if (ev) return { ok: true, typeId: ev.id, typeName: 'struct event', source: 'default' };
  return {
    ok: false,
    reason: `no record type for map ${mapName}: the program has no \`struct event\` and the map has no bpfplay.record annotation; name the record struct \`event\` or annotate the map (records are shown as hex meanwhile)`,
  };
}

function typeByCName(btf: Btf, text: string): number | undefined {
  const m = /^(struct|union|enum)\s+(\S+)$/.exec(text);
  if (m) return btf.findByName(m[2]!, m[1] as 'struct' | 'union' | 'enum')[0];
  for (const kind of ['struct', 'union', 'typedef', 'enum'] as const) {
    const id = btf.findByName(text, kind)[0];
    if (id !== undefined) return id;
  }
  return undefined;
}
