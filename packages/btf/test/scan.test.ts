import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Btf, helperNames, lineAt, openObjectSpec, parseElf, scanCalls, SHF } from '../src/index.js';
import { compileBpf, requireKernelBtf, removeCompiled } from './helpers/toolchain.js';

/** Goldens are JSON files beside the tests; `vitest -u` rewrites them (review the diff). */
const asJson = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

afterAll(removeCompiled);

const compiled = compileBpf('calls.bpf.c');
const obj = openObjectSpec(compiled.bytes, 'calls.bpf.o');
const helpers = helperNames(Btf.parse(requireKernelBtf(), { name: 'vmlinux' }));

describe('ELF reader', () => {
  it('lists sections, symbols and relocation sections of a clang object', () => {
    const elf = parseElf(compiled.bytes);
    expect(elf.machine).toBe(247);
    const exec = elf.sections.filter((s) => s.flags & SHF.EXECINSTR).map((s) => s.name);
    expect(exec).toEqual(['.text', 'tp/syscalls/sys_enter_execve', 'tp_btf/sched_switch', 'uprobe']);
    expect(elf.section('.BTF')?.data.length).toBeGreaterThan(0);
    const rel = elf.relocationSections.find((r) => elf.sections[r.target]?.name === 'tp_btf/sched_switch');
    expect(rel?.relocations.map((r) => elf.symbols[r.symbol]?.name)).toEqual(
      expect.arrayContaining(['bpf_task_acquire', 'bpf_task_release']),
    );
  });

  it('finds programs and subprograms from FUNC symbols', () => {
    expect(
      obj.programs.map((p) => ({
        name: p.name,
        section: p.section,
        subprogram: p.subprogram,
        insns: p.insns.length > 0,
      })),
    ).toEqual([
      { name: 'triple', section: '.text', subprogram: true, insns: true },
      { name: 'on_exec', section: 'tp/syscalls/sys_enter_execve', subprogram: false, insns: true },
      { name: 'on_switch', section: 'tp_btf/sched_switch', subprogram: false, insns: true },
      { name: 'poke', section: 'uprobe', subprogram: false, insns: true },
    ]);
    // ld_imm64 is one instruction of 16 bytes: the next instruction's index skips a slot.
    const prog = obj.programs.find((p) => p.name === 'on_exec')!;
    const ld = prog.insns.findIndex((i) => i.size === 16);
    expect(ld).toBeGreaterThanOrEqual(0);
    expect(prog.insns[ld + 1]!.index).toBe(prog.insns[ld]!.index + 2);
  });
});

describe('call scan', () => {
  it('names helpers, kfuncs and bpf-to-bpf calls with their source lines (golden)', async () => {
    const scan = scanCalls(obj, helpers).map((p) => ({
      ...p,
      calls: p.calls.map((c) => ({ ...c, location: c.location && { ...c.location, file: basename(c.location.file) } })),
    }));
    await expect(asJson(scan)).toMatchFileSnapshot('golden/calls-scan.json');
    const poke = scan.find((p) => p.program === 'poke')!;
    const pwu = poke.calls.find((c) => c.name === 'bpf_probe_write_user');
    expect(pwu?.location?.text).toContain('bpf_probe_write_user(');
    const sw = scan.find((p) => p.program === 'on_switch')!;
    expect(sw.calls.map((c) => `${c.kind}:${c.name}`)).toEqual([
      'kfunc:bpf_task_acquire',
      'kfunc:bpf_task_release',
      'subprog:triple',
    ]);
  });

  it('maps an instruction to its source line through line_info', () => {
    const prog = obj.programs.find((p) => p.name === 'on_exec')!;
    expect(lineAt(obj.ext, prog.section, prog.offset)).toMatchObject({
      line: 18,
      text: '\t__u64 id = bpf_get_current_pid_tgid();',
    });
    // Every instruction of the comm call's argument setup maps to line 19 until the next record.
    const call = prog.insns.find((i) => i.code === 0x85 && i.imm === 16)!;
    const line = lineAt(obj.ext, prog.section, call.offset);
    expect(line).toMatchObject({ line: 19, col: 2, text: '\tbpf_get_current_comm(comm, sizeof(comm));' });
    expect(basename(line!.file)).toBe('calls.bpf.c');
    expect(lineAt(obj.ext, 'no-such-section', 0)).toBeUndefined();
    // Program-relative: instruction index as the verifier prints it.
    expect(obj.lineOf('on_exec', call.index)?.line).toBe(19);
  });

  it('lists func_info: one record per function, pointing at its FUNC type', () => {
    const names = [...obj.ext!.funcInfo].flatMap(([sec, recs]) =>
      recs.map((r) => `${sec}:${r.insnOff}:${obj.btf!.nameOf(r.typeId)}`),
    );
    expect(names).toEqual([
      '.text:0:triple',
      'tp/syscalls/sys_enter_execve:0:on_exec',
      'tp_btf/sched_switch:0:on_switch',
      'uprobe:0:poke',
    ]);
  });
});

describe('kfunc calls as the kernel will see them', () => {
  const vmlinux = Btf.parse(requireKernelBtf(), { name: 'vmlinux' });
  const id = vmlinux.findByName('bpf_send_signal_task', 'func')[0]!;
  /** A call instruction (code 0x85) with src_reg `src` and immediate `imm`, as one little-endian quadword. */
  const call = (src: number, imm: number, off = 0) =>
    `0x${((BigInt(imm >>> 0) << 32n) | (BigInt(off & 0xffff) << 16n) | (BigInt(src << 4) << 8n) | 0x85n).toString(16)}`;
  const source = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, u64 value) __ksym;
extern int bpf_send_signal_task___mine(struct task_struct *task, int sig, enum pid_type type, u64 value) __ksym;
SEC("tp/syscalls/sys_enter_getpid")
int by_id(void *ctx)
{
	asm volatile(".quad ${call(2, id)}");
	return 0;
}
SEC("tp/syscalls/sys_enter_getpid")
int helper_bytes(void *ctx)
{
	asm volatile(".quad bpf_send_signal_task + 0x85" ::: "memory");
	return 0;
}
SEC("tp/syscalls/sys_enter_getpid")
int flavored(void *ctx)
{
	return bpf_send_signal_task___mine(bpf_get_current_task_btf(), 9, PIDTYPE_PID, 0);
}
SEC("tp/syscalls/sys_enter_getpid")
int unknown(void *ctx)
{
	asm volatile(".quad ${call(2, 0x7ffffff0)}\\n\\t.quad ${call(2, id, 1)}\\n\\t.quad ${call(3, 1)}");
	return 0;
}
void *keep[] = { &bpf_send_signal_task };
char LICENSE[] SEC("license") = "GPL";
`;
  const tricks = openObjectSpec(compileBpf('kfunc-tricks.bpf.c', source).bytes, 'kfunc-tricks.bpf.o');
  const scan = Object.fromEntries(scanCalls(tricks, helpers, vmlinux).map((p) => [p.program, p.calls]));

  it('names a raw kfunc call by its BTF id through the kernel BTF', () => {
    expect(scan.by_id).toMatchObject([
      { kind: 'kfunc', name: 'bpf_send_signal_task', kfunc: { via: 'btf-id', btfId: id, resolved: true } },
    ]);
  });

  it('treats any call relocated against an extern as the kfunc libbpf will make of it, even "helper 0" bytes', () => {
    expect(scan.helper_bytes).toMatchObject([
      { kind: 'kfunc', name: 'bpf_send_signal_task', kfunc: { via: 'extern', resolved: true } },
    ]);
  });

  it('strips the ___flavor suffix as libbpf does when it resolves the extern', () => {
    expect(scan.flavored!.map((c) => `${c.kind}:${c.name}`)).toContain('kfunc:bpf_send_signal_task');
  });

  it('leaves ids the kernel BTF does not name, module BTF slots and bad src_regs unresolved or invalid', () => {
    expect(scan.unknown!.map((c) => [c.kind, c.kfunc?.resolved])).toEqual([
      ['kfunc', false],
      ['kfunc', false],
      ['invalid', undefined],
    ]);
  });
});
