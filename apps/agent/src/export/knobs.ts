import type { Btf } from '@bpfplay/btf';
import type { ParamValue, Value } from '@bpfplay/protocol';
import { listParams } from '../load/params.js';
import { cString } from './c-decode.js';

/** A `const volatile` knob as the exported loader's command-line flag sets it. */
export interface ExportedKnob {
  name: string;
  /** `targ_pid` → `targ-pid`. */
  flag: string;
  /** The C type as the playground shows it (`const volatile pid_t`). */
  type: string;
  kind: 'int' | 'bool' | 'enum' | 'chars' | 'float';
  size: number;
  signed: boolean;
  /** Enumerators accepted by name. */
  enumValues?: { name: string; value: number }[];
  /** The value the loader starts from: the run's `params`, else the compiled-in one. */
  value: Value;
  /** Whether `value` came from the run and must be written before the flags are read. */
  fromRun: boolean;
  defaultText: string;
}

/** The object's knobs (load/params.ts finds them the same way for a run), with the run's values. */
export function exportedKnobs(
  btf: Btf,
  rodata: Uint8Array | undefined,
  params: Record<string, ParamValue>,
): { knobs: ExportedKnob[]; notes: string[] } {
  const knobs: ExportedKnob[] = [];
  const notes: string[] = [];
  for (const p of listParams(btf, rodata)) {
    const t = btf.resolve(p.typeId);
    let kind: ExportedKnob['kind'] | undefined;
    let signed = false;
    let enumValues: ExportedKnob['enumValues'];
    if (t.kind === 'int') {
      kind = t.bool ? 'bool' : 'int';
      signed = t.signed;
    } else if (t.kind === 'enum' || t.kind === 'enum64') {
      kind = 'enum';
      signed = t.signed;
      enumValues = t.values.map((v) => ({ name: v.name, value: Number(v.value) }));
    } else if (t.kind === 'float') kind = 'float';
    else if (t.kind === 'array' && btf.resolve(t.type).kind === 'int' && p.size > 0) kind = 'chars';
    if (!kind || (kind !== 'chars' && p.size > 8)) {
      notes.push(`the knob ${p.name} (${p.type}) has no command-line flag: set it in ${'<name>'}.c before load`);
      continue;
    }
    const run = params[p.name];
    const value: Value = run ?? p.value;
    knobs.push({
      name: p.name,
      flag: p.name.replace(/_/g, '-'),
      type: p.type,
      kind,
      size: p.size,
      signed,
      ...(enumValues ? { enumValues } : {}),
      value,
      fromRun: run !== undefined,
      defaultText: typeof value === 'string' ? JSON.stringify(value) : String(value),
    });
  }
  return { knobs, notes };
}

/** The `case` of getopt's switch that reads one knob's flag into the skeleton's .rodata. */
export function knobFlagCode(k: ExportedKnob, opt: number, _skel: string): string {
  const target = `skel->rodata->${k.name}`;
  const fail = `{ fprintf(stderr, "--${k.flag}: %s is not a valid ${k.type.replace(/"/g, '')}\\n", optarg); return 2; }`;
  let body: string;
  switch (k.kind) {
    case 'bool':
      body = `${target} = !strcmp(optarg, "true") || !strcmp(optarg, "1") || !strcmp(optarg, "yes");`;
      break;
    case 'int':
      body = `{ char *end; errno = 0; ${k.signed ? 'long long v = strtoll(optarg, &end, 0);' : 'unsigned long long v = strtoull(optarg, &end, 0);'} if (errno || *end || end == optarg) ${fail} ${target} = v; }`;
      break;
    case 'float':
      body = `{ char *end; double v = strtod(optarg, &end); if (*end || end == optarg) ${fail} ${target} = v; }`;
      break;
    case 'chars':
      body = `{ if (strlen(optarg) >= ${k.size}) ${fail} memset((char *)${target}, 0, ${k.size}); memcpy((char *)${target}, optarg, strlen(optarg)); }`;
      break;
    case 'enum': {
      const names = (k.enumValues ?? [])
        .map((e) => `if (!strcmp(optarg, ${cString(e.name)})) ${target} = ${e.name}; else `)
        .join('');
      body = `{ char *end; long long v = strtoll(optarg, &end, 0); if (*optarg && !*end) ${target} = v; else ${names}${fail} }`;
      break;
    }
  }
  return `\t\tcase ${opt}: ${body} break;\n`;
}

/** Statements giving the knobs the run's values before the flags are read (the playground's params). */
export function knobDefaultsCode(knobs: ExportedKnob[]): string {
  return knobs
    .filter((k) => k.fromRun)
    .map((k) => {
      const target = `skel->rodata->${k.name}`;
      if (k.kind === 'chars') {
        const s = String(k.value);
        return `\tmemset((char *)${target}, 0, ${k.size});\n\tmemcpy((char *)${target}, ${cString(s)}, ${Buffer.byteLength(s)});\n`;
      }
      if (k.kind === 'enum' && typeof k.value === 'string') return `\t${target} = ${k.value};\n`;
      const v = typeof k.value === 'boolean' ? (k.value ? 1 : 0) : k.value;
      return `\t${target} = ${String(v)};\n`;
    })
    .join('');
}
