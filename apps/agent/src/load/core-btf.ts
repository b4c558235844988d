import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enumOnlyBtf, essentialName, type Btf, type BtfEnum, type ObjectSpec } from '@bpfplay/btf';

/** Kinds of CO-RE relocation that only ask about an enum's enumerators. */
const ENUM_KINDS = new Set(['enumval_exists', 'enumval_value']);

/**
 * Enums this is done for: BPF's own UAPI enums (include/uapi/linux/bpf.h), which only vmlinux
 * defines — libbpf also looks for candidates in kernel modules' BTF, which the small file leaves out.
 */
const VMLINUX_ONLY_ENUMS = new Set([
  'bpf_func_id',
  'bpf_prog_type',
  'bpf_map_type',
  'bpf_attach_type',
  'bpf_link_type',
]);

/**
 * A BTF file with only the kernel enums an object's CO-RE relocations ask about, when those are all
 * it asks about; else undefined. libbpf then resolves them against this file (btf_custom_path)
 * instead of reading and parsing the kernel's whole BTF (6 MB here: ~11 ms of a runner's CPU per
 * load, most of a hello-world's load). The case is common: the playground's bpf_printk asks whether
 * `enum bpf_func_id` has BPF_FUNC_snprintf (Linux 5.13+), and hello-world asks nothing else.
 *
 * The answers are the same: every kernel enum with the local enum's essential name (what libbpf
 * takes as candidates) is copied whole. libbpf still reads the kernel's BTF when the object needs it
 * for anything else (typed ksyms, tp_btf/fentry/lsm/iter programs), whatever this says.
 */
export function coreBtfFor(info: ObjectSpec, kernel: Btf, dir: string): string | undefined {
  if (!info.btf || !info.ext) return undefined;
  const relos = [...info.ext.coreRelos.values()].flat();
  if (!relos.length || relos.some((r) => !ENUM_KINDS.has(r.kind))) return undefined;
  const names = new Set<string>();
  for (const r of relos) {
    const local = info.btf.type(r.typeId);
    if (local.kind !== 'enum' && local.kind !== 'enum64') return undefined;
    const name = essentialName(local.name);
    if (!VMLINUX_ONLY_ENUMS.has(name)) return undefined;
    names.add(name);
  }
  const sorted = [...names].sort();
  const key = `${dir}\0${sorted.join(',')}`;
  let known = files.get(kernel);
  if (!known) files.set(kernel, (known = new Map()));
  if (known.has(key)) return known.get(key);
  const path = write(kernelEnums(kernel, sorted), dir);
  known.set(key, path);
  return path;
}

/** Per kernel BTF, folder and set of enum names: the file made for them (undefined: none can be). */
const files = new WeakMap<Btf, Map<string, string | undefined>>();

function kernelEnums(kernel: Btf, names: string[]): BtfEnum[] | undefined {
  const enums: BtfEnum[] = [];
  for (const name of names) {
    // libbpf's candidates: the target's enums (and enum64s) of that name. An enum64 among them, or
    // none at all, is left to the kernel's own BTF.
    const found = kernel.findByName(name).map((id) => kernel.type(id));
    const candidates = found.filter((t) => t.kind === 'enum' || t.kind === 'enum64');
    if (!candidates.length || candidates.some((t) => t.kind !== 'enum')) return undefined;
    enums.push(...(candidates as BtfEnum[]));
  }
  return enums;
}

/** The enums as a BTF file named by its content, written once (atomically) in `dir`. */
function write(enums: BtfEnum[] | undefined, dir: string): string | undefined {
  if (!enums) return undefined;
  const bytes = enumOnlyBtf(enums);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  const path = join(dir, `${hash}.btf`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, path);
  }
  return path;
}
