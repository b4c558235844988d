import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldsOf, findRecordType, layoutOf, mapDefinitions, type Btf, type ObjectSpec } from '@bpfplay/btf';
import { mapTypeName } from '@bpfplay/libbpf/names';
import {
  mainFileOf,
  unitLabel,
  type ParamValue,
  type ProjectFile,
  type ProjectMessage,
  type Snippet,
} from '@bpfplay/protocol';
import { AGENT_ROOT } from '../config.js';
import { attachKindOf } from '../attach/kinds.js';
import { DEFAULT_INCLUDE_DIR } from '../compile/toolchain.js';
import { BtfMapDecoder } from '../stream/btf-decoder.js';
import { PRINTK_MAP } from '../stream/sources.js';
import { globalsOf } from './globals-c.js';
import { generateLoader, type ExportedMap, type LoaderSpec } from './loader-c.js';
import { exportedKnobs } from './knobs.js';
import { makefile, readme } from './makefile.js';

/** The C helpers every exported loader includes (real C files, so they are read and tested as C). */
const EXPORT_C_DIR = join(AGENT_ROOT, 'export-c');
/** Our headers the snippet compiled against: the printk shim and the annotations, as the playground has them. */
const SHIPPED_HEADERS = ['bpf/bpf_helpers.h', 'bpfplay.h'];

export interface ExportInput {
  snippet: Snippet;
  /** The object the playground compiled and checked. */
  spec: ObjectSpec;
  /** Programs the playground switched off, with its reason (run/prepare.ts). */
  off: Record<string, string>;
  params: Record<string, ParamValue>;
}

export interface ExportedProject {
  name: string;
  files: ProjectFile[];
  notes: string[];
}

/** `hello.bpf.c` → `hello`; anything that is not a C identifier becomes `_`. */
export function projectName(snippet: Snippet): string {
  const main = mainFileOf(snippet.files, snippet.main) ?? 'snippet.bpf.c';
  const base = main.replace(/\.bpf\.c$|\.c$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(base) ? base : `p_${base}`;
}

/** Map types whose contents `bpfplay run` prints at the end of a run. */
const PRINTED_MAPS = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash']);

export function exportProject(input: ExportInput): ExportedProject {
  const { snippet, spec } = input;
  const btf = spec.btf;
  if (!btf) throw new Error('the object has no BTF (compiled without -g): nothing to generate a loader from');
  const name = projectName(snippet);
  const main = mainFileOf(snippet.files, snippet.main)!;
  const notes: string[] = [];
  const { knobs, notes: knobNotes } = exportedKnobs(btf, spec.elf.section('.rodata')?.data, input.params);
  notes.push(...knobNotes.map((n) => n.replace('<name>', name)));
  const entry = spec.programs.filter((p) => !p.section.startsWith('.text'));
  const programs = entry.map((p) => ({
    name: p.name,
    section: p.section,
    kind: attachKindOf(p.section),
    ...(input.off[p.name] ? { off: input.off[p.name] } : {}),
  }));
  for (const p of programs) {
    if (!p.off && ['xdp', 'tc', 'socket'].includes(p.kind))
      notes.push(
        `${p.name} (SEC("${p.section}")) attaches to the interface given with --ifname; the playground used its own veth`,
      );
  }
  const defs = mapDefinitions(btf);
  const spec_: LoaderSpec = {
    name,
    programs,
    knobs,
    buffers: buffersOf(btf, defs),
    printk: defs.some((d) => d.name === PRINTK_MAP),
    maps: mapsOf(btf, defs),
    globals: globalsOf(btf),
  };
  const files: ProjectFile[] = [
    { path: `${name}.bpf.c`, content: snippet.files.find((f) => f.name === main)!.content },
    ...snippet.files.filter((f) => f.name !== main).map((f) => ({ path: f.name, content: f.content })),
    ...SHIPPED_HEADERS.map((h) => ({
      path: `include/${h}`,
      content: readFileSync(join(DEFAULT_INCLUDE_DIR, h), 'utf8'),
    })),
    ...['bpfplay_print.h', 'bpfplay_attach.h'].map((h) => ({
      path: h,
      content: readFileSync(join(EXPORT_C_DIR, h), 'utf8'),
    })),
    { path: `${name}.c`, content: generateLoader(spec_) },
    {
      path: 'Makefile',
      content: makefile(
        name,
        snippet.files.filter((f) => f.name !== main && f.name.endsWith('.h')).map((f) => f.name),
      ),
    },
    { path: 'README.md', content: readme(name, spec_, notes) },
  ];
  return { name, files, notes };
}

function buffersOf(btf: Btf, defs: ReturnType<typeof mapDefinitions>): LoaderSpec['buffers'] {
  const out: LoaderSpec['buffers'] = [];
  for (const d of defs) {
    if (d.name === PRINTK_MAP || d.type === undefined) continue;
    const type = mapTypeName(d.type);
    if (type !== 'ringbuf' && type !== 'perf_event_array') continue;
    const r = findRecordType(btf, d.name);
    out.push({
      map: d.name,
      perf: type === 'perf_event_array',
      ...(r.ok ? { layout: layoutOf(btf, r.typeId) } : {}),
      fields: r.ok ? fieldsOf(btf, r.typeId) : [],
    });
  }
  return out;
}

/** Each printed map as the playground's map decoder plans it (table, counters or log2 histogram). */
function mapsOf(btf: Btf, defs: ReturnType<typeof mapDefinitions>): ExportedMap[] {
  const decoder = new BtfMapDecoder(btf);
  const out: ExportedMap[] = [];
  for (const d of defs) {
    if (d.type === undefined) continue;
    const typeName = mapTypeName(d.type);
    if (!PRINTED_MAPS.has(typeName)) continue;
    const plan = decoder.describe({ name: d.name, typeName });
    const keyLayout = d.keyTypeId !== undefined ? layoutOf(btf, d.keyTypeId) : undefined;
    const valueLayout = d.valueTypeId !== undefined ? layoutOf(btf, d.valueTypeId) : undefined;
    const m: ExportedMap = {
      name: d.name,
      // The first line `bpfplay run` prints for a map (cli/format.ts).
      head: `map ${d.name} (${typeName}${plan.keyType ? `, ${plan.keyType} → ${plan.valueType}` : ''})`,
      typeName,
      perCpu: typeName.includes('percpu'),
      isArray: typeName.endsWith('array'),
      ...(keyLayout ? { keyLayout } : {}),
      ...(valueLayout ? { valueLayout } : {}),
      ...(plan.unit ? { unit: unitLabel(plan.unit) } : {}),
    };
    const root = valueLayout?.root;
    if (plan.render === 'log2-hist' && plan.bucketsPerKey) m.hist = { kind: 'buckets' };
    else if (plan.render === 'log2-hist' && root?.k === 'struct') {
      const slots = root.fields.find((f) => f.name === 'slots')?.node;
      if (slots?.k === 'array' && slots.elem.k === 'int')
        m.hist = { kind: 'slots', off: slots.off, n: slots.n, size: slots.elem.size };
    }
    if (!m.hist && (root?.k === 'int' || root?.k === 'enum') && !('bool' in root && root.bool))
      m.intValue = { size: root.size, signed: root.signed };
    out.push(m);
  }
  return out;
}

/** The `project` frame of an export run, or why there is none. */
export function projectFrame(
  runId: string,
  input: ExportInput,
  object: Buffer,
): { frame: Omit<ProjectMessage, 'seq'> } | { error: string } {
  try {
    const p = exportProject(input);
    return {
      frame: {
        type: 'project',
        runId,
        name: p.name,
        files: p.files,
        object: object.toString('base64'),
        notes: p.notes,
      },
    };
  } catch (e) {
    return { error: `export failed: ${(e as Error).message}` };
  }
}
