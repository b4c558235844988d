import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBtf } from '@bpfplay/btf';
import type { LspRequest, LspResult, ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { startPolicyAgent } from '../abuse/agents.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { execProgram } from '../harness/lsp-program.js';
import { isAlive, until } from '../harness/wait.js';

/**
 * The editor's intelligence against a real agent and a real clangd in the compile sandbox: what a
 * learner gets while typing, before pressing Run.
 */
const agent = useSharedAgent();

const PROGRAM = execProgram();

let nextId = 1;

async function ask<M extends LspRequest['method']>(
  c: TestClient,
  request: Extract<LspRequest, { method: M }>,
): Promise<Extract<LspResult, { method: M }>> {
  const id = nextId++;
  c.send({ type: 'lsp-request', id, request });
  const r = (await c.waitFor((m) => m.type === 'lsp-response' && m.id === id)) as ServerMessageOf<'lsp-response'>;
  if (r.error !== undefined) throw new Error(`agent answered ${request.method} with an error: ${r.error}`);
  return r.result as Extract<LspResult, { method: M }>;
}

/** 0-based position just after the first occurrence of `needle` (or at its start). */
function at(text: string, needle: string, after = true): { line: number; character: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  const off = i + (after ? needle.length : 0);
  const before = text.slice(0, off).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

function open(files: Record<string, string>, main?: string): TestClient {
  const c = connect(agent.wsUrl, { token: agent.token });
  c.send({
    type: 'lsp-open',
    snippet: { files: Object.entries(files).map(([name, content]) => ({ name, content })), ...(main ? { main } : {}) },
  });
  return c;
}

const diagnosticsOf = (file: string) => (m: ServerMessage) => m.type === 'lsp-diagnostics' && m.file === file;

describe('editor intelligence (clangd in the sandbox)', () => {
  it('completes task_struct members after task->, with their types', async () => {
    const text = execProgram('\tint p = task->');
    const c = open({ 'exec.bpf.c': text });
    const r = await ask(c, { method: 'completion', file: 'exec.bpf.c', position: at(text, 'task->'), trigger: '>' });
    const pid = r.items.find((i) => i.label === 'pid');
    expect(pid, `items: ${r.items.map((i) => i.label).join(', ')}`).toMatchObject({ kind: 'field', detail: 'pid_t' });
    // Every member, not clangd's first 100 by relevance (task_struct has hundreds).
    for (const m of ['tgid', 'comm', 'real_parent', 'mm', 'cred'])
      expect(
        r.items.some((i) => i.label === m),
        m,
      ).toBe(true);
    c.close();
  });

  it('hovers a helper with its signature and libbpf documentation, and a member with its offset and size', async () => {
    const c = open({ 'hover.bpf.c': PROGRAM });
    const h = await ask(c, {
      method: 'hover',
      file: 'hover.bpf.c',
      position: at(PROGRAM, 'bpf_ringbuf_reserve', false),
    });
    expect(h.contents).toContain('bpf_ringbuf_reserve');
    expect(h.contents).toMatch(/void \*\(\*const\)\(void \*, __u64, __u64\)|void \*ringbuf/);
    // The comment above the helper in bpf_helper_defs.h.
    expect(h.contents).toMatch(/Reserve \*size\* bytes of payload in a ring buffer/);
    const member = execProgram('\tint p = task->tgid;');
    c.send({ type: 'lsp-open', snippet: { files: [{ name: 'hover.bpf.c', content: member }] } });
    const m = await ask(c, { method: 'hover', file: 'hover.bpf.c', position: at(member, 'task->') });
    // This kernel's layout, from its BTF (clangd shows it only on the declaration itself).
    const vmlinux = loadBtf(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' });
    const tgid = vmlinux.flatMembers(vmlinux.findByName('task_struct', 'struct')[0]!).find((x) => x.name === 'tgid')!;
    expect(m.contents).toContain(`Offset: ${tgid.bitOffset / 8} bytes`);
    expect(m.contents).toMatch(/Size: 4 bytes/);
    expect(m.contents).toMatch(/Type: `pid_t/);
    c.close();
  });

  it('publishes a diagnostic for a typo as it is typed, at its line', async () => {
    const c = open({ 'typo.bpf.c': PROGRAM });
    await c.waitFor((m) => diagnosticsOf('typo.bpf.c')(m) && m.type === 'lsp-diagnostics' && m.version === 0);
    const line = at(PROGRAM, '\treturn 0;', false).line;
    c.send({
      type: 'lsp-change',
      file: 'typo.bpf.c',
      version: 1,
      changes: [
        {
          range: { start: { line, character: 1 }, end: { line, character: 7 } },
          text: 'retrun',
        },
      ],
    });
    const d = (await c.waitFor(
      (m) => diagnosticsOf('typo.bpf.c')(m) && m.type === 'lsp-diagnostics' && m.version === 1,
    )) as ServerMessageOf<'lsp-diagnostics'>;
    const err = d.diagnostics.find((x) => x.severity === 'error');
    expect(err?.message).toMatch(/retrun/);
    expect(err?.range.start.line).toBe(line);
    c.close();
  });

  it('goes to the definition of struct task_struct in vmlinux.h, readable as a header', async () => {
    const c = open({ 'def.bpf.c': PROGRAM });
    const d = await ask(c, {
      method: 'definition',
      file: 'def.bpf.c',
      position: at(PROGRAM, 'struct task_struct', false),
    });
    // "struct" itself is not a symbol; the name is.
    const d2 = d.locations.length
      ? d
      : await ask(c, { method: 'definition', file: 'def.bpf.c', position: at(PROGRAM, 'task_struct', false) });
    const loc = d2.locations[0];
    expect(loc).toMatchObject({ file: '<bpfplay>/vmlinux.h', header: true });
    const h = await ask(c, { method: 'header', path: '<bpfplay>/vmlinux.h' });
    expect(h.text.split('\n')[loc!.range.start.line]).toMatch(/struct task_struct \{/);
    c.close();
  });

  it('offers this kernel’s attach points inside SEC("...")', async () => {
    const text = PROGRAM.replace('SEC("tp/sched/sched_process_exec")', 'SEC("tp/sched/sched_proc")');
    const c = open({ 'sec.bpf.c': text });
    const r = await ask(c, { method: 'completion', file: 'sec.bpf.c', position: at(text, 'sched_proc') });
    expect(r.items.map((i) => i.label)).toContain('tp/sched/sched_process_exec');
    const raw = text.replace('SEC("tp/sched/sched_proc")', 'SEC("tp_btf/sched_sw")');
    c.send({ type: 'lsp-open', snippet: { files: [{ name: 'sec.bpf.c', content: raw }] } });
    const r2 = await ask(c, { method: 'completion', file: 'sec.bpf.c', position: at(raw, 'tp_btf/sched_sw') });
    expect(r2.items.map((i) => i.label)).toContain('tp_btf/sched_switch');
    c.close();
  });

  it('cannot read a host file through #include, as the compiler cannot', async () => {
    const text = `#include "/etc/shadow"\n#include "/proc/self/environ"\n${PROGRAM}`;
    const c = open({ 'probe.bpf.c': text });
    const d = (await c.waitFor(diagnosticsOf('probe.bpf.c'))) as ServerMessageOf<'lsp-diagnostics'>;
    const messages = d.diagnostics.map((x) => x.message).join('\n');
    expect(messages).toMatch(/'\/etc\/shadow' file not found/);
    // Nothing from the file made it into any message (root's line starts with "root:").
    expect(messages).not.toMatch(/root:/);
    const h = await ask(c, { method: 'hover', file: 'probe.bpf.c', position: { line: 0, character: 12 } });
    expect(h.contents).not.toMatch(/root:/);
    c.close();
  });
});

describe('a session’s clangd', () => {
  it('ends when the session’s socket closes', async () => {
    // One process at most: no spare can start while the session holds it, so the one clangd is the session's.
    const own = await startPolicyAgent({ limits: { lspMaxProcesses: 1 } });
    try {
      const c = connect(own.wsUrl, { token: own.token });
      c.send({ type: 'lsp-open', snippet: { files: [{ name: 'end.bpf.c', content: PROGRAM }] } });
      await c.waitFor(diagnosticsOf('end.bpf.c'));
      const pids = clangdsUnder(own.child.pid!);
      expect(pids).toHaveLength(1);
      c.close();
      await until('the session’s clangd is gone', () => !isAlive(pids[0]!));
    } finally {
      await own.stop();
    }
  });
});

/** clangd processes among the descendants of `pid` (the agent → bwrap → bwrap → clangd). */
function clangdsUnder(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let kids: number[] = [];
    try {
      for (const t of readdirSync(`/proc/${p}/task`))
        kids.push(...readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
    } catch {
      kids = [];
    }
    for (const k of kids) {
      let comm: string;
      try {
        comm = readFileSync(`/proc/${k}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
      if (comm.startsWith('clangd')) out.push(k);
      else walk(k);
    }
  };
  walk(pid);
  return out;
}
