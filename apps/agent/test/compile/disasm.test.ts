import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHelperNames, parseDisassembly, runObjdump } from '../../src/compile/disasm.js';
import { resolveLimits } from '../../src/compile/limits.js';
import { knownHeaders, makeSourceLookup } from '../../src/compile/sources.js';
import { DEFAULT_INCLUDE_DIR } from '../../src/compile/toolchain.js';
import { COMPILE_TIMEOUT, useTestCompiler } from './helpers.js';
import { asJson, goldenCases } from './golden-cases.js';

/**
 * Golden files: golden/disasm/<case>/ holds a snippet, objdump.txt (llvm-objdump-19's real
 * output for its object) and expected.json (the sections the user gets).
 * `npx vitest run -u test/compile/disasm.test.ts` regenerates both from the real toolchain.
 */
const { dir: GOLDEN, cases, filesOf } = goldenCases('disasm');

describe('parsing llvm-objdump output (golden)', () => {
  it.each(cases)('%s', async (name) => {
    const parsed = parseDisassembly(
      readFileSync(join(GOLDEN, name, 'objdump.txt'), 'utf8'),
      makeSourceLookup(filesOf(name), knownHeaders(DEFAULT_INCLUDE_DIR, '/nonexistent/vmlinux.h')),
      await loadHelperNames(),
    );
    await expect(asJson(parsed)).toMatchFileSnapshot(join(GOLDEN, name, 'expected.json'));
  });
});

describe('helper names from bpf_helper_defs.h', () => {
  it('reads both the libbpf 1.1 form and the 1.2+ form (`* const name`)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'helper-defs-')), 'bpf_helper_defs.h');
    writeFileSync(
      file,
      'static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;\n' +
        'static void *(* const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *) 131;\n',
    );
    const names = await loadHelperNames(file);
    expect([names.get(1), names.get(131)]).toEqual(['bpf_map_lookup_elem', 'bpf_ringbuf_reserve']);
  });

  it("names every helper of the installed libbpf's header (bpf_ringbuf_reserve is 131)", async () => {
    expect((await loadHelperNames()).get(131)).toBe('bpf_ringbuf_reserve');
  });
});

describe('disassemble() on a real object', { timeout: COMPILE_TIMEOUT }, () => {
  const t = useTestCompiler();

  it.each(cases)('%s matches the golden', async (name) => {
    const files = filesOf(name);
    const r = await t.compiler.compile({ files, main: 'prog.bpf.c' });
    expect(r.diagnostics, r.output).toEqual([]);
    const text = await runObjdump(r.object!, resolveLimits());
    const sections = await t.compiler.disassemble(r.object!, { files, main: 'prog.bpf.c' });
    await expect(text).toMatchFileSnapshot(join(GOLDEN, name, 'objdump.txt'));
    await expect(asJson(sections)).toMatchFileSnapshot(join(GOLDEN, name, 'expected.json'));
  });

  it('names programs and subprograms, maps source lines to snippet files, annotates maps, helpers, CO-RE', async () => {
    const files = filesOf('subprog-core');
    const r = await t.compiler.compile({ files, main: 'prog.bpf.c' });
    const sections = await t.compiler.disassemble(r.object!, { files, main: 'prog.bpf.c' });
    const byName = Object.fromEntries(sections.map((s) => [s.section, s]));
    expect(byName['tracepoint/syscalls/sys_enter_execve']!.programs).toEqual(['on_exec']);
    expect(byName['.text']!.programs).toEqual(['count_up']);
    const all = sections.flatMap((s) => s.lines);
    const files_ = new Set(all.flatMap((l) => (l.location ? [l.location.file] : [])));
    expect([...files_].sort()).toEqual(['helper.h', 'prog.bpf.c']);
    expect(all).toContainEqual({
      kind: 'source',
      text: '\tint tgid = BPF_CORE_READ(task, tgid);',
      location: { file: 'prog.bpf.c', line: 23 },
    });
    expect(all).toContainEqual({
      kind: 'source',
      text: '\tbpf_printk("tgid %d", x);',
      location: { file: 'helper.h', line: 8 },
    });
    const insns = all.filter((l) => l.kind === 'insn').map((l) => l.text);
    expect(insns.some((i) => i.endsWith('<bpf_get_current_task>'))).toBe(true);
    expect(insns.some((i) => i.endsWith('<bpf_map_lookup_elem>'))).toBe(true);
    expect(insns.some((i) => i.includes('ll <hits>'))).toBe(true);
    expect(insns.some((i) => i.includes('<CO-RE <byte_off> ') && i.includes('struct task_struct::tgid'))).toBe(true);
    // Instruction indexes count a 16-byte ld_imm64 as two, as the verifier does.
    const first = byName['.text']!.lines.filter((l) => l.kind === 'insn').map((l) => l.insn!);
    expect(first[0]).toBe(0);
    expect(new Set(first).size).toBe(first.length);
  });

  it('never quotes a host file the DWARF names (#line "/etc/shadow")', async () => {
    const files = [
      {
        name: 'prog.bpf.c',
        content: `#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#line 1 "/etc/shadow"\nSEC("xdp") int f(struct xdp_md *c) { return XDP_PASS; }\nchar LICENSE[] SEC("license") = "GPL";\n`,
      },
    ];
    const r = await t.compiler.compile({ files });
    expect(r.ok).toBe(true);
    const sections = await t.compiler.disassemble(r.object!, { files });
    const src = sections.flatMap((s) => s.lines).filter((l) => l.kind === 'source');
    expect(src.map((l) => l.location!.file)).toContain('/etc/shadow');
    expect(src.every((l) => l.text === '')).toBe(true);
  });
});
