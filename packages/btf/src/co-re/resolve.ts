/**
 * The CO-RE explorer's engine: every relocation of an object, what it accesses, and what it resolves to
 * against one or more target BTFs (this kernel's vmlinux, or any other BTF file), without loading.
 */
import type { CoreRelocation } from '@bpfplay/protocol';
import type { Btf } from '../btf.js';
import { lineAt, type CoreReloRecord } from '../btf-ext.js';
import type { ObjectSpec } from '../object-spec.js';
import type { BpfInsn } from '../insn.js';
import { cTypeName } from '../c-type.js';
import { calcRelocation } from './calc.js';
import { findCandidates, matchSpec } from './match.js';
import { CoreSpecError, formatAccess, isFieldBased, parseLocalSpec, type CoreSpec } from './spec.js';

type CoreResult = CoreRelocation['results'][number];

export interface CoreTarget {
  /** Shown in results and messages: `this kernel`, `5.10-min.btf`, ... */
  name: string;
  btf: Btf;
}

export interface CoreTargetResult extends CoreResult {
  /** The raw spec in the target's BTF, e.g. `0:2:1`, when a candidate matched. */
  targetSpec?: string;
  /** Target type id(s) that matched. */
  candidates?: number[];
  /** libbpf replaces the instruction with an invalid call: the load fails only if the program reaches it. */
  poisoned?: boolean;
}

export interface CoreRelocationReport extends CoreRelocation {
  /** libbpf's number for it: position among the CO-RE records of its section ("relo #N"). */
  index: number;
  section: string;
  /** Byte offset of the instruction in its section. */
  sectionOffset: number;
  /** The value clang compiled into the instruction (libbpf's "imm X -> Y" X). */
  localValue?: number;
  sourceText?: string;
  results: CoreTargetResult[];
}

export function resolveCoreRelocations(obj: ObjectSpec, targets: CoreTarget[]): CoreRelocationReport[] {
  const { btf, ext } = obj;
  if (!btf || !ext) return [];
  const out: CoreRelocationReport[] = [];
  for (const [section, records] of ext.coreRelos) {
    records.forEach((rec, index) => out.push(resolveRecord(obj, btf, section, index, rec, targets)));
  }
  return out;
}

function resolveRecord(
  obj: ObjectSpec,
  btf: Btf,
  section: string,
  index: number,
  rec: CoreReloRecord,
  targets: CoreTarget[],
): CoreRelocationReport {
  const prog = obj.programAt(section, rec.insnOff);
  const line = lineAt(obj.ext, section, rec.insnOff);
  const report: CoreRelocationReport = {
    program: prog?.name ?? section,
    insn: prog ? (rec.insnOff - prog.offset) / 8 : rec.insnOff / 8,
    kind: rec.kind,
    typeName: safeTypeName(btf, rec.typeId),
    access: rec.spec,
    spec: rec.spec,
    index,
    section,
    sectionOffset: rec.insnOff,
    results: [],
  };
  if (line) {
    report.location = { file: line.file, line: line.line, col: line.col };
    report.sourceText = line.text;
  }
  let local: CoreSpec;
  try {
    local = parseLocalSpec(btf, rec.typeId, rec.spec, rec.kind);
    report.access = formatAccess(local);
    const compiled = prog?.insns.find((i) => i.offset === rec.insnOff);
    if (compiled) report.localValue = compiledValue(compiled);
  } catch (e) {
    const message = `the object's relocation is invalid: ${e instanceof CoreSpecError ? e.message : String(e)}`;
    report.results = targets.map((t) => ({ target: t.name, ok: false, message }));
    return report;
  }
  report.results = targets.map((t) => resolveAgainst(local, t));
  return report;
}

/** The number clang put where libbpf will patch: the offset of a load/store, else the immediate. */
function compiledValue(insn: BpfInsn): number {
  const cls = insn.code & 0x07;
  if (cls === 0x01 || cls === 0x02 || cls === 0x03) return insn.off;
  return insn.imm64 !== undefined ? Number(insn.imm64) : insn.imm;
}

function safeTypeName(btf: Btf, id: number): string {
  try {
    return cTypeName(btf, id);
  } catch {
    return `[${id}]`;
  }
}

function resolveAgainst(local: CoreSpec, target: CoreTarget): CoreTargetResult {
  const base = { target: target.name };
  if (local.kind === 'type_id_local') return { ...base, ok: true, value: local.rootId };
  const rootName = local.btf.nameOf(local.rootId);
  if (!rootName) {
    return {
      ...base,
      ok: false,
      message: `${cTypeName(local.btf, local.rootId)} is anonymous; libbpf cannot relocate anonymous types (give the type a name)`,
    };
  }
  const candidates = findCandidates(local.btf, local.rootId, target.btf);
  const reasons: string[] = [];
  const matched: { id: number; spec: CoreSpec; value: number | undefined; poison: boolean }[] = [];
  for (const id of candidates) {
    const m = matchSpec(local, target.btf, id, target.name);
    if (!m.ok) {
      reasons.push(m.reason);
      continue;
    }
    const r = calcRelocation(local.kind, m.spec);
    if (!r.ok && !r.poison) return { ...base, ok: false, message: `${r.reason} (candidate [${id}] in ${target.name})` };
    matched.push({ id, spec: m.spec, value: r.ok ? r.value : undefined, poison: !r.ok });
  }
  if (matched.length === 0) {
    const why =
      candidates.length === 0
        ? `${cTypeName(local.btf, local.rootId)} not found in ${target.name}`
        : unique(reasons).join('; ');
    const r = calcRelocation(local.kind, undefined);
    // Existence checks answer 0 here; that is the point of them, so it is a successful result.
    if (r.ok) return { ...base, ok: true, value: r.value, message: why };
    return { ...base, ok: false, poisoned: r.poison, message: why };
  }
  const first = matched[0]!;
  for (const m of matched.slice(1)) {
    if (isFieldBased(local.kind) && m.spec.bitOffset !== first.spec.bitOffset) {
      return {
        ...base,
        ok: false,
        message: `ambiguous: candidates [${first.id}] and [${m.id}] in ${target.name} put the field at different offsets (${first.spec.bitOffset / 8} vs ${m.spec.bitOffset / 8} bytes)`,
      };
    }
    if (m.value !== first.value || m.poison !== first.poison) {
      return {
        ...base,
        ok: false,
        message: `ambiguous: candidates [${first.id}] and [${m.id}] in ${target.name} give different results (${first.value} vs ${m.value})`,
      };
    }
  }
  const result: CoreTargetResult = {
    ...base,
    ok: first.value !== undefined,
    targetSpec: first.spec.raw.length ? first.spec.raw.join(':') : undefined,
    candidates: matched.map((m) => m.id),
  };
  if (first.value !== undefined) result.value = first.value;
  return result;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
