import { describe, expect, it } from 'vitest';
import { useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { instructions } from '../harness/objdump.js';
import { head } from './programs.js';

const agent = useSharedAgent();
const license = 'char LICENSE[] SEC("license") = "GPL";\n';
const lineOf = (src: string, text: string) => src.split('\n').findIndex((l) => l.includes(text)) + 1;
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';

function refusal(src: string, file: string) {
  return runCli(writeSnippet({ [file]: src }), ['--compile-only'], agent);
}

describe('uprobes only where a probe is safe', () => {
  it('refuses, at --compile-only time, an offset inside an instruction, naming the line and the nearby starts', async () => {
    const insns = instructions('/usr/bin/bash', 'readline');
    const long = insns.findIndex((x, k) => k + 1 < insns.length && insns[k + 1]!.offset - x.offset > 1);
    const mid = insns[long]!.offset + 1;
    const name = uniqueName('t_upmid');
    const src = `${head}
SEC("uprobe//bin/bash:readline+${mid}")
int ${name}(struct pt_regs *ctx) { return 0; }
${license}`;
    const r = await refusal(src, 'mid.bpf.c');
    expect(r.code, r.stdout).toBe(1);
    const v = ofType(r.messages, 'refused')[0]?.violations[0];
    expect(v).toMatchObject({
      rule: 'uprobe-offset',
      program: name,
      location: { file: 'mid.bpf.c', line: lineOf(src, 'SEC("uprobe') },
    });
    expect(v?.message).toMatch(
      new RegExp(`readline\\+${mid} is inside an instruction of readline.*\\+${insns[long + 1]!.offset}`),
    );
    expect(ofType(r.messages, 'loaded')).toEqual([]);
  });

  it('refuses a probe on a syscall instruction, which kills the processes that reach it', async () => {
    const sys = instructions(LIBC, 'getpid').find((x) => x.text === 'syscall');
    expect(sys, 'libc getpid makes the syscall itself').toBeDefined();
    const src = `${head}
SEC("uprobe/libc.so.6:getpid+${sys!.offset}")
int ${uniqueName('t_upsys')}(struct pt_regs *ctx) { return 0; }
${license}`;
    const r = await refusal(src, 'sys.bpf.c');
    expect(r.code, r.stdout).toBe(1);
    const v = ofType(r.messages, 'refused')[0]?.violations[0];
    expect(v?.rule).toBe('uprobe-offset');
    expect(v?.message).toMatch(/`syscall` instruction, which a uprobe must not replace/);
  });

  it('attaches to the file and offset it checked: a library by the name the loader knows, a function entry, an instruction boundary', async () => {
    const third = instructions('/usr/bin/bash', 'execute_command')[2]!.offset;
    const [lib, entry, inside] = [uniqueName('t_uplib'), uniqueName('t_upent'), uniqueName('t_upoff')];
    const src = `${head}
__u64 getpids, at_entry, at_offset;
SEC("uprobe/libc.so.6:getpid")
int ${lib}(struct pt_regs *ctx) { __sync_fetch_and_add(&getpids, 1); return 0; }
SEC("uprobe/bash:execute_command")
int ${entry}(struct pt_regs *ctx) { __sync_fetch_and_add(&at_entry, 1); return 0; }
SEC("uprobe/bash:execute_command+${third}")
int ${inside}(struct pt_regs *ctx) { __sync_fetch_and_add(&at_offset, 1); return 0; }
${license}`;
    const trigger = `python3 -c 'import os\nfor _ in range(50): os.getpid()'; bash -c 'for i in 1 2 3 4 5 6 7 8; do true; done'`;
    const r = await runCli(writeSnippet({ 'probes.bpf.c': src }), ['--duration', '6', '--trigger', trigger], agent);
    expect(r.code, r.stdout).toBe(0);
    const links = ofType(r.messages, 'attached')[0]?.links ?? [];
    expect(links.map((l) => [l.program, l.ok, l.target])).toEqual([
      [lib, true, `${LIBC}:getpid`],
      [entry, true, '/usr/bin/bash:execute_command'],
      [inside, true, `/usr/bin/bash:execute_command+${third}`],
    ]);
    const globals = ofType(r.messages, 'maps')
      .flatMap((m) => m.maps)
      .filter((m) => m.render === 'globals')
      .at(-1);
    const value = globals?.entries[0]?.value as Record<string, number> | undefined;
    expect(value?.getpids).toBeGreaterThanOrEqual(50);
    expect(value?.at_entry).toBeGreaterThanOrEqual(8);
    expect(value?.at_offset).toBeGreaterThanOrEqual(8);
    expect(await waitNoPrograms(lib)).toEqual([]);
  });
});
