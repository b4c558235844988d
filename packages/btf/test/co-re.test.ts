import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Btf, loadBtf, openObjectSpec, resolveCoreRelocations, type CoreRelocationReport } from '../src/index.js';
import { bpftool, compileBpf, requireKernelBtf, removeCompiled } from './helpers/toolchain.js';
import { libbpfCoreRelocations } from './helpers/libbpf-log.js';

/** Goldens are JSON files beside the tests; `vitest -u` rewrites them (review the diff). */
const asJson = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

afterAll(removeCompiled);

const compiled = compileBpf('core.bpf.c');
const obj = openObjectSpec(compiled.bytes, 'core.bpf.o');
const vmlinux = Btf.parse(requireKernelBtf(), { name: 'vmlinux' });

/** The trimmed "kernel": its .BTF section dumped to a raw BTF file, as a user would upload it. */
function noStateBtf(): Btf {
  const o = compileBpf('no-state.c');
  const raw = join(o.dir, 'no-state.btf');
  execFileSync('llvm-objcopy-19', [`--dump-section=.BTF=${raw}`, o.path]);
  return loadBtf(readFileSync(raw), { name: 'no-state.btf' });
}

const find = (rs: CoreRelocationReport[], kind: string, access: string) => {
  const r = rs.find((x) => x.kind === kind && x.access === access);
  if (!r)
    throw new Error(`no ${kind} relocation for ${access}; have: ${rs.map((x) => `${x.kind} ${x.access}`).join(', ')}`);
  return r;
};

describe('CO-RE relocations of an execsnoop-like program', () => {
  // Its cost, first and again, is bench figure 8 (bench/src/fig8-in-process.ts).
  const reports = resolveCoreRelocations(obj, [{ name: 'this kernel', btf: vmlinux }]);

  it('computes exactly what libbpf patches, relocation by relocation', () => {
    const { relos } = libbpfCoreRelocations(compiled.path);
    expect(relos.length, 'libbpf debug lines found').toBe(reports.length);
    for (const r of reports) {
      const l = relos.find((x) => x.program === r.program && x.index === r.index);
      const what = `relo #${r.index} ${r.kind} ${r.access}`;
      expect(l, `${what}: libbpf printed nothing for it`).toBeDefined();
      expect(l!.insn, `${what}: instruction index`).toBe(r.insn);
      const mine = r.results[0]!;
      if (l!.kind === 'poisoned') {
        expect({ ok: mine.ok, poisoned: mine.poisoned }, `${what}: libbpf poisoned it`).toEqual({
          ok: false,
          poisoned: true,
        });
      } else {
        expect(mine.value, `${what}: value (${mine.message ?? ''})`).toBe(l!.to);
        expect(r.localValue, `${what}: compiled-in value`).toBe(l!.from);
      }
    }
  });

  it('says what each relocation accesses, as the user wrote it', () => {
    expect(find(reports, 'field_byte_offset', 'task_struct->real_parent').results[0]).toMatchObject({ ok: true });
    expect(find(reports, 'field_byte_offset', 'task_struct->tgid').location?.line).toBe(39);
    expect(find(reports, 'field_byte_offset', 'task_struct->comm[2]')).toBeDefined();
    expect(find(reports, 'field_byte_offset', 'task_struct->se.vruntime')).toBeDefined();
    expect(find(reports, 'type_exists', 'struct bpfplay_nonexistent').results[0]).toMatchObject({ ok: true, value: 0 });
    expect(find(reports, 'enumval_value', 'enum bpf_func_id::BPF_FUNC_probe_write_user').results[0]?.ok).toBe(true);
    // libbpf's type_matches compares integer names too: clang's `unsigned long` vs the kernel's.
    expect(find(reports, 'type_matches', 'struct task_struct').results[0]).toMatchObject({
      ok: true,
      value: 0,
      message: expect.stringContaining('`unsigned long` here is `long unsigned int` there'),
    });
    expect(find(reports, 'type_matches', 'struct list_head').results[0]).toMatchObject({ ok: true, value: 1 });
    const old = find(reports, 'field_byte_offset', 'task_struct___old->state');
    expect(old.results[0]).toMatchObject({
      ok: false,
      poisoned: true,
      message: 'field `state` not found in struct task_struct of this kernel',
    });
    // clang attributes this instruction to the `} else {` line of the fallback branch.
    expect(old.location?.line).toBeGreaterThanOrEqual(42);
    expect(old.location?.line).toBeLessThanOrEqual(45);
  });

  it('reports against a BTF where task_struct has no __state (golden)', async () => {
    const target = { name: 'no-state.btf', btf: noStateBtf() };
    const rs = resolveCoreRelocations(obj, [target]);
    const state = find(rs, 'field_byte_offset', 'task_struct->__state').results[0]!;
    expect(state).toMatchObject({
      ok: false,
      poisoned: true,
      message: 'field `__state` not found in struct task_struct of no-state.btf',
    });
    expect(find(rs, 'field_exists', 'task_struct->__state').results[0]).toMatchObject({ ok: true, value: 0 });
    expect(find(rs, 'field_byte_offset', 'task_struct___old->state').results[0]).toMatchObject({ ok: true, value: 16 });
    // Kernel-independent view: which relocations hold there and what they resolve to.
    await expect(
      asJson(
        rs.map((r) => ({
          program: r.program,
          kind: r.kind,
          typeName: r.typeName,
          access: r.access,
          line: r.location?.line,
          file: r.location && basename(r.location.file),
          source: r.sourceText?.trim(),
          // The local type id depends on this kernel's vmlinux.h; everything else here does not.
          result: r.kind === 'type_id_local' ? { ...r.results[0], value: 'local id' } : r.results[0],
        })),
      ),
    ).toMatchFileSnapshot('golden/core-no-state.json');
  });

  it('gives the same answers against bpftool gen min_core_btf output as against vmlinux', () => {
    const min = join(compiled.dir, 'min.btf');
    execFileSync(bpftool(), ['gen', 'min_core_btf', '/sys/kernel/btf/vmlinux', min, compiled.path], { stdio: 'pipe' });
    const minBtf = loadBtf(readFileSync(min), { name: 'min.btf' });
    console.log(`min_core_btf: ${readFileSync(min).length} bytes, ${minBtf.typeCount - 1} types`);
    const both = resolveCoreRelocations(obj, [
      { name: 'vmlinux', btf: vmlinux },
      { name: 'min', btf: minBtf },
    ]);
    for (const r of both) {
      if (r.kind === 'type_id_target') continue; // type ids are renumbered in the minimized BTF
      const [a, b] = r.results;
      expect({ ok: b!.ok, value: b!.value }, `${r.kind} ${r.access}`).toEqual({ ok: a!.ok, value: a!.value });
    }
  });
});
