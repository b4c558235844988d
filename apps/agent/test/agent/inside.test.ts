import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { REPO, useSharedAgent } from '../harness/agent-process.js';
import { connect } from '../harness/ws-client.js';

/**
 * The "see inside" side information of a run: CO-RE relocations (against this kernel and against
 * another BTF), disassembly linked to source lines, parameters, verifier statistics.
 */
const agent = useSharedAgent();

const example = (name: string) =>
  ['bpf.c', 'h']
    .map((ext) => join(REPO, 'bpf', name, `${name}.${ext}`))
    .flatMap((p) => {
      try {
        return [{ name: p.split('/').pop()!, content: readFileSync(p, 'utf8') }];
      } catch {
        return [];
      }
    });

/** A BTF whose task_struct has no real_parent: what an older or stranger kernel could look like. */
function btfWithoutRealParent(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-btf-'));
  writeFileSync(
    join(dir, 'k.c'),
    'struct task_struct { int pid; int tgid; char comm[16]; };\nstruct task_struct *keep_task_struct;\n',
  );
  execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-c', join(dir, 'k.c'), '-o', join(dir, 'k.o')]);
  execFileSync('llvm-objcopy-19', [
    `--dump-section=.BTF=${join(dir, 'k.btf')}`,
    join(dir, 'k.o'),
    join(dir, 'k.stripped.o'),
  ]);
  return readFileSync(join(dir, 'k.btf'));
}

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

describe('CO-RE explorer', () => {
  it('lists execsnoop relocations resolved on this kernel and failing against a BTF without the field', async () => {
    const files = example('execsnoop');
    expect(files.map((f) => f.name)).toContain('execsnoop.bpf.c');
    const c = connect(agent.wsUrl, { token: agent.token });
    await c.waitFor((m) => m.type === 'hello');
    c.send({ type: 'btf-upload', name: 'no-real-parent', data: btfWithoutRealParent().toString('base64') });
    const up = (await c.waitFor((m) => m.type === 'btf-uploaded')) as Of<'btf-uploaded'>;
    expect(up.types).toBeGreaterThan(0);
    c.send({
      type: 'run',
      runId: 'core',
      snippet: { files },
      options: { mode: 'compile', coreTargets: ['no-real-parent'] },
    });
    const core = (await c.waitFor((m) => m.type === 'core' && m.runId === 'core')) as Of<'core'>;
    const parent = core.relocations.find((r) => r.access.includes('real_parent'))!;
    expect(parent, JSON.stringify(core.relocations.map((r) => r.access))).toBeDefined();
    expect(parent.kind).toBe('field_byte_offset');
    expect(parent.location?.file).toBe('execsnoop.bpf.c');
    const here = parent.results.find((r) => r.target === 'this kernel')!;
    expect(here.ok).toBe(true);
    expect(here.value).toBeGreaterThan(0);
    const there = parent.results.find((r) => r.target === 'no-real-parent')!;
    expect(there.ok).toBe(false);
    expect(there.message).toMatch(/real_parent/);
    // tgid exists in the uploaded task_struct, at offset 4.
    const tgid = core.relocations.find((r) => r.access.endsWith('tgid'))!;
    expect(tgid.results.find((r) => r.target === 'no-real-parent')).toMatchObject({ ok: true, value: 4 });
    const stopped = (await c.waitFor((m) => m.type === 'stopped')) as Of<'stopped'>;
    expect(stopped.reason).toBe('finished');
    c.close();
  });

  it("offers the kernel matrix's BTF (scripts/kernels.sh: Debian 5.10, 6.1, 6.12) as CO-RE targets", async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    const hello = (await c.waitFor((m) => m.type === 'hello')) as Of<'hello'>;
    expect(hello.capabilities.coreTargets).toEqual(expect.arrayContaining(['5.10', '6.1', '6.12']));
    c.close();
  });
});

describe('disassembly, parameters and verifier statistics', () => {
  it('sends per-program disassembly mapped to the snippet lines, the const volatile knobs, and stats', async () => {
    const files = example('execsnoop');
    const c = connect(agent.wsUrl, { token: agent.token });
    c.send({ type: 'run', runId: 'dis', snippet: { files }, options: { durationSec: 1 } });
    const dis = (await c.waitFor((m) => m.type === 'disasm' && m.runId === 'dis')) as Of<'disasm'>;
    const sec = dis.sections.find((s) => s.programs.includes('handle_exec'))!;
    expect(sec.section).toMatch(/sched_process_exec/);
    const insns = sec.lines.filter((l) => l.kind === 'insn');
    expect(insns.length).toBeGreaterThan(10);
    const src = readFileSync(join(REPO, 'bpf/execsnoop/execsnoop.bpf.c'), 'utf8').split('\n');
    const submitLine = src.findIndex((l) => l.includes('bpf_ringbuf_submit')) + 1;
    expect(sec.lines.some((l) => l.location?.file === 'execsnoop.bpf.c' && l.location.line === submitLine)).toBe(true);
    const params = (await c.waitFor((m) => m.type === 'params')) as Of<'params'>;
    expect(params.params.map((p) => p.name)).toContain('targ_uid');
    const loaded = (await c.waitFor((m) => m.type === 'loaded')) as Of<'loaded'>;
    const prog = loaded.programs.find((p) => p.name === 'handle_exec')!;
    expect(prog.stats?.insnsProcessed).toBeGreaterThan(0);
    expect(prog.jitedBytes).toBeGreaterThan(0);
    await c.waitFor((m) => m.type === 'stopped');
    c.close();
  });
});
