import type { ProgramCalls } from '@bpfplay/btf';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findElfFunction } from '../../src/policy/elf-function.js';
import { DEFAULT_POLICY, mergePolicy } from '../../src/policy/policy.js';
import { parseCInteger, parseUprobeSection } from '../../src/policy/uprobe-section.js';
import { checkUprobes, verifyProbePoints, type UprobeTarget } from '../../src/policy/uprobes.js';

const prog = (program: string, section: string): ProgramCalls => ({
  program,
  section,
  subprogram: false,
  insnCount: 2,
  calls: [],
});
const policy = mergePolicy(DEFAULT_POLICY, {
  uprobeBinaries: ['/bin/bash', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
});
const rules = (section: string) => checkUprobes([prog('a', section)], policy).violations.map((v) => v.rule);

describe('uprobe sections as libbpf reads them', () => {
  it('reads +N the way %li does: decimal, hex, and octal with a leading 0', () => {
    expect(['8', '0x10', '010', '0', '-4', '+3'].map(parseCInteger)).toEqual([8, 16, 8, 0, -4, 3]);
    expect(['', '08', '1z', '0x'].map(parseCInteger)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('splits file, function and offset, and refuses what cannot be a probe', () => {
    expect(parseUprobeSection('uprobe//bin/bash:readline+010')).toEqual({
      ok: true,
      value: { kind: 'uprobe', file: '/bin/bash', func: 'readline', offset: 8 },
    });
    expect(parseUprobeSection('uretprobe.s/libc.so.6:malloc')).toMatchObject({ ok: true, value: { offset: 0 } });
    expect(parseUprobeSection('uprobe//bin/bash:readline+-4')).toMatchObject({ ok: false, reason: /negative/ });
    expect(parseUprobeSection('uretprobe//bin/bash:readline+4')).toMatchObject({ ok: false, reason: /no offset/ });
    expect(parseUprobeSection('uprobe//bin/bash:readline+four')).toMatchObject({ ok: false });
    expect(parseUprobeSection('uprobe')).toMatchObject({ ok: false });
    expect(parseUprobeSection('uprobe.multi//bin/bash:read*')).toMatchObject({ ok: false });
  });
});

describe('uprobe targets', () => {
  it('resolves the file like the loader, checks it against the allowlist, and keeps what the runner attaches to', () => {
    const r = checkUprobes(
      [prog('a', 'uprobe/libc.so.6:getpid'), prog('b', 'uretprobe/bash:readline'), prog('c', 'usdt//bin/bash:p:n')],
      policy,
    );
    expect(r.violations).toEqual([]);
    const getpid = findElfFunction('/usr/lib/x86_64-linux-gnu/libc.so.6', 'getpid');
    expect(getpid.ok).toBe(true);
    expect(r.targets.a).toMatchObject({
      kind: 'uprobe',
      retprobe: false,
      path: '/usr/lib/x86_64-linux-gnu/libc.so.6',
      fileOffset: getpid.ok ? getpid.fn.fileOffset : -1,
    });
    expect(r.targets.b).toMatchObject({ kind: 'uprobe', retprobe: true, path: '/usr/bin/bash' });
    expect(r.targets.c).toMatchObject({ kind: 'usdt', path: '/usr/bin/bash', provider: 'p', name: 'n' });
  });

  it('finds functions at the file offset readelf gives (address - section address + section offset)', () => {
    const f = findElfFunction('/usr/bin/bash', 'readline');
    const sym = /\s([0-9a-f]+)\s+(\d+)\s+FUNC\s+GLOBAL\s+DEFAULT\s+(\d+)\s+readline$/m.exec(
      execFileSync('readelf', ['-Ws', '/usr/bin/bash']).toString(),
    );
    expect(sym).not.toBeNull();
    expect(f).toMatchObject({ ok: true, fn: { address: parseInt(sym![1]!, 16), size: Number(sym![2]) } });
  });

  it('refuses files off the allowlist, unknown functions, and offsets past the function', () => {
    expect(rules('uprobe//usr/bin/cat:main')).toEqual(['uprobe-target']);
    expect(rules('uretprobe//usr/bin/cat:main')).toEqual(['uprobe-target']);
    expect(rules('usdt//usr/bin/python3:python:function__entry')).toEqual(['uprobe-target']);
    expect(rules('uprobe')).toEqual(['uprobe-target']);
    expect(rules('uprobe.multi//usr/bin/cat:*')).toEqual(['uprobe-target']);
    expect(rules('uprobe/bin/bash:readline')).toEqual(['uprobe-target']); // relative path
    expect(rules('uprobe//bin/bash:no_such_function_here')).toEqual(['uprobe-target']);
    expect(rules('uprobe//bin/bash:readline+100000')).toEqual(['uprobe-offset']);
    expect(rules('uprobe//bin/bash:readline+0x10')).toEqual([]); // inside: the boundary check decides
  });

  it('allows a probe only at the start of an instruction that survives being probed', async () => {
    const t = {
      kind: 'uprobe',
      program: 'p',
      retprobe: false,
      path: '/x',
      fn: { name: 'f', address: 0x1000, size: 32, fileOffset: 0x400 },
      offset: 5,
      fileOffset: 0x405,
      display: '/x:f+5',
    } satisfies UprobeTarget;
    const decode = async () => [
      { address: 0x1000, text: 'endbr64' },
      { address: 0x1004, text: 'movl $0x27, %eax' },
      { address: 0x1009, text: 'syscall' },
      { address: 0x100b, text: 'lock cmpxchgl %ecx, (%rdx)' },
      { address: 0x100f, text: 'retq' },
    ];
    const at = async (offset: number) => verifyProbePoints({ p: { ...t, offset } }, decode);
    expect(await at(0)).toEqual([]);
    expect(await at(4)).toEqual([]);
    expect(await at(0xb)).toEqual([]);
    const [mid] = await at(5);
    expect(mid).toMatchObject({ rule: 'uprobe-offset', program: 'p' });
    expect(mid!.message).toMatch(/inside an instruction of f.*start at \+4, \+9, \+11/);
    expect((await at(9))[0]?.message).toMatch(/`syscall` instruction, which a uprobe must not replace/);
    const entrySyscall = async () => [{ address: 0x1000, text: 'syscall' }];
    expect(await verifyProbePoints({ p: { ...t, offset: 0, retprobe: true } }, entrySyscall)).toHaveLength(1);
    const broken = async () => Promise.reject(new Error('no such file'));
    expect((await verifyProbePoints({ p: t }, broken))[0]?.message).toMatch(/could not be checked/);
  });
});
