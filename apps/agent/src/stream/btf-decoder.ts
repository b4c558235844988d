import type { Btf, MapDefinition } from '@bpfplay/btf';
import { cTypeName, decodeValue, fieldsOf, findRecordType, layoutOf, mapDefinitions } from '@bpfplay/btf';
import type { BpfMap } from '@bpfplay/libbpf';
import type { FieldInfo, MapSnapshot, RecordLayout, Value } from '@bpfplay/protocol';
import {
  decodeRecord,
  hexValue,
  shownReader,
  recordStackFields,
  type RecordStackField,
  type ShownReader,
  unitFromName,
} from '@bpfplay/protocol/decoding';
import type { MapDecoder } from './maps.js';
import type { RecordDecoder } from './sources.js';
import { compileRecordJson, type RecordJson } from './record-json.js';

export interface RecordSchema {
  source: string;
  recordType?: string;
  fields: FieldInfo[];
  undecodedReason?: string;
  /** Binary events only: how the client decodes the records' bytes. */
  layout?: RecordLayout;
  /** Fields holding bpf_get_stack() frames (protocol decode/stacks.ts). */
  stacks?: RecordStackField[];
}

const hex = hexValue;

/**
 * Variables the playground's own headers define; users did not write them. A function-scope static
 * (the printk shim's format string) is named `func.___bpfplay_fmt` or `func.___bpfplay_fmt.1` in BTF.
 */
/** The playground's own globals (printk ring bookkeeping) and libbpf's `___` CO-RE flavours are not the user's. */
export const hiddenVar = (name: string) => /(^|\.)(___|__bpfplay)/.test(name);

/**
 * Ring/perf buffer records decoded with the object's BTF: `struct event`, or the annotated type.
 * Each source's record layout is built once; the JSON form's writer and the binary form's schema
 * (what the client decodes with) both come from it.
 */
export class BtfRecordDecoder implements RecordDecoder {
  readonly layouts = new Map<string, RecordLayout | undefined>();
  private readonly writers = new Map<string, RecordJson | undefined>();
  readonly schemas: RecordSchema[] = [];

  constructor(
    btf: Btf,
    sources: string[],
    /** Records travel as raw bytes (binary events): each schema carries the layout to decode them with. */
    readonly binary = false,
  ) {
    for (const source of sources) {
      const r = findRecordType(btf, source);
      if (r.ok) {
        const layout = layoutOf(btf, r.typeId);
        this.layouts.set(source, layout);
        if (!binary) this.writers.set(source, compileRecordJson(layout));
        const stacks = recordStackFields(layout);
        this.schemas.push({
          source,
          recordType: r.typeName,
          fields: fieldsOf(btf, r.typeId),
          ...(binary ? { layout } : {}),
          ...(stacks.length ? { stacks } : {}),
        });
      } else {
        this.layouts.set(source, undefined);
        this.schemas.push({ source, fields: [], undecodedReason: r.reason });
      }
    }
  }

  decode(source: string, bytes: Uint8Array): Value {
    return decodeRecord(this.layouts.get(source), bytes);
  }

  json(source: string): RecordJson | undefined {
    return this.writers.get(source);
  }

  shown(source: string): ShownReader | undefined {
    return shownReader(this.layouts.get(source));
  }
}

interface MapPlan {
  keyId?: number;
  valueId?: number;
  render: MapSnapshot['render'];
  /** `.bss`/`.data`/`.rodata`: the value is a DATASEC, decoded variable by variable. */
  datasec?: number;
  /** An array map used as a histogram: one bucket per key, folded into one entry. */
  bucketsPerKey?: boolean;
  /** What a histogram's values measure (MapSnapshot.unit). */
  unit?: string;
}

function isInt(btf: Btf, id: number | undefined): boolean {
  return id !== undefined && ['int', 'enum', 'enum64'].includes(btf.resolve(id).kind);
}

function hasSlots(btf: Btf, id: number | undefined): boolean {
  if (id === undefined) return false;
  const t = btf.resolve(id);
  if (t.kind !== 'struct') return false;
  const slots = t.members.find((m) => m.name === 'slots');
  if (!slots) return false;
  const a = btf.resolve(slots.type);
  return a.kind === 'array' && isInt(btf, a.type);
}

const HIST_NAME = /hist|slots/i;

/**
 * A histogram's unit: BPFPLAY_UNIT on the map, else the map's name (`lat_ns`), else the name of the
 * slots field or of the value struct (`struct hist_us { __u32 us_slots[...] }`).
 */
function histUnit(btf: Btf, mapName: string, def: MapDefinition | undefined): string | undefined {
  if (def?.unit) return unitFromName(def.unit) ?? def.unit;
  const names = [mapName];
  if (def?.valueTypeId !== undefined) {
    const v = btf.resolve(def.valueTypeId);
    if (v.kind === 'struct') {
      names.push(v.name);
      for (const m of v.members) if (btf.resolve(m.type).kind === 'array') names.push(m.name);
    }
  }
  for (const n of names) {
    const u = unitFromName(n);
    if (u) return u;
  }
  return undefined;
}
const ARRAY_TYPES = new Set(['array', 'percpu_array']);

/** Maps decoded with their BTF key/value types, with a hint on how to draw each. */
export class BtfMapDecoder implements MapDecoder {
  private readonly defs: Map<string, MapDefinition>;
  private readonly plans = new Map<string, MapPlan>();

  constructor(private readonly btf: Btf) {
    this.defs = new Map(mapDefinitions(btf).map((d) => [d.name, d]));
  }

  private plan(map: Pick<BpfMap, 'name' | 'typeName'>): MapPlan {
    let p = this.plans.get(map.name);
    if (p) return p;
    const dot = map.name.indexOf('.');
    const datasec = dot >= 0 ? this.btf.find(map.name.slice(dot), 'datasec') : undefined;
    if (datasec) p = { render: 'globals', datasec: datasec.id };
    else {
      const def = this.defs.get(map.name);
      const keyId = def?.keyTypeId;
      const valueId = def?.valueTypeId;
      let render: MapSnapshot['render'] = 'table';
      let bucketsPerKey = false;
      if (def?.render === 'log2-hist' || hasSlots(this.btf, valueId)) render = 'log2-hist';
      else if (HIST_NAME.test(map.name) && ARRAY_TYPES.has(map.typeName) && isInt(this.btf, valueId)) {
        render = 'log2-hist';
        bucketsPerKey = true;
      } else if (isInt(this.btf, valueId)) render = 'counters';
      const unit = render === 'log2-hist' ? histUnit(this.btf, map.name, def) : undefined;
      p = {
        render,
        bucketsPerKey,
        ...(unit ? { unit } : {}),
        ...(keyId !== undefined ? { keyId } : {}),
        ...(valueId !== undefined ? { valueId } : {}),
      };
    }
    this.plans.set(map.name, p);
    return p;
  }

  /** Takes only the map's name and type, so an exported loader (export/project.ts) plans maps the same way before any load. */
  describe(map: Pick<BpfMap, 'name' | 'typeName'>): {
    keyType?: string;
    valueType?: string;
    render: MapSnapshot['render'];
    bucketsPerKey?: boolean;
    unit?: string;
  } {
    const p = this.plan(map);
    return {
      render: p.render,
      ...(p.unit ? { unit: p.unit } : {}),
      ...(p.keyId !== undefined ? { keyType: cTypeName(this.btf, p.keyId) } : {}),
      ...(p.valueId !== undefined ? { valueType: cTypeName(this.btf, p.valueId) } : {}),
      ...(p.bucketsPerKey ? { bucketsPerKey: true } : {}),
    };
  }

  key(map: BpfMap, bytes: Uint8Array): Value {
    const p = this.plan(map);
    if (p.datasec !== undefined) return map.name.slice(map.name.indexOf('.'));
    return p.keyId !== undefined ? decodeValue(this.btf, p.keyId, bytes) : hex(bytes);
  }

  value(map: BpfMap, bytes: Uint8Array): Value {
    const p = this.plan(map);
    if (p.datasec !== undefined) return this.globals(p.datasec, bytes);
    return p.valueId !== undefined ? decodeValue(this.btf, p.valueId, bytes) : hex(bytes);
  }

  private globals(datasecId: number, bytes: Uint8Array): Value {
    const sec = this.btf.type(datasecId);
    if (sec.kind !== 'datasec') return hex(bytes);
    const out: Record<string, Value> = {};
    for (const vs of sec.vars) {
      const v = this.btf.type(vs.type);
      if (v.kind !== 'var' || hiddenVar(v.name)) continue;
      out[v.name] = decodeValue(this.btf, v.type, bytes.subarray(vs.offset, vs.offset + vs.size));
    }
    return out;
  }

  sum(_map: BpfMap, values: Value[]): Value {
    return sumValues(values);
  }
}

/** Element-wise sum of per-CPU values: numbers add, objects and arrays add member by member. */
export function sumValues(values: Value[]): Value {
  const first = values[0];
  if (first === undefined) return null;
  if (typeof first === 'number')
    return values.reduce<number>((a, v) => a + (typeof v === 'number' ? v : Number(v) || 0), 0);
  if (typeof first === 'string' && /^-?\d+$/.test(first)) {
    return values
      .reduce<bigint>((a, v) => a + BigInt(typeof v === 'number' || typeof v === 'string' ? v : 0), 0n)
      .toString();
  }
  if (Array.isArray(first))
    return first.map((_, i) => sumValues(values.map((v) => (Array.isArray(v) ? (v[i] ?? null) : null))));
  if (first && typeof first === 'object') {
    const out: Record<string, Value> = {};
    for (const k of Object.keys(first))
      out[k] = sumValues(values.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? (v[k] ?? null) : null)));
    return out;
  }
  return first;
}
