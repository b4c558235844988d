import { describe, expect, it } from 'vitest';
import { LspResult } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { cliOutput, writeSnippet, type CliOutput } from '../harness/cli.js';
import { execProgram } from '../harness/lsp-program.js';

/**
 * `bpfplay complete` and `bpfplay hover`: the editor's answers in a terminal, from the agent's real
 * clangd-19 over the same WebSocket protocol the web app uses (for tests and other editors).
 */
const agent = useSharedAgent();

const PROGRAM = execProgram('\tint p = task->');

/** 1-based line and column of the first `needle`, at its start or just after it (what --line/--col take). */
function where(needle: string, after: boolean): string[] {
  const i = PROGRAM.indexOf(needle) + (after ? needle.length : 0);
  const lines = PROGRAM.slice(0, i).split('\n');
  return ['--line', String(lines.length), '--col', String(lines.at(-1)!.length + 1)];
}

/** `bpfplay complete|hover FILE ARGS... --agent URL` on PROGRAM. */
function cli([command, ...args]: string[]): Promise<CliOutput> {
  const [file] = writeSnippet({ 'exec.bpf.c': PROGRAM });
  return cliOutput([command!, file!, ...args, '--agent', agent.url], agent.token);
}

describe('bpfplay complete / hover', () => {
  it('complete after task-> lists pid and tgid, one item a line with kind and type; --json is the protocol’s result', async () => {
    const text = await cli(['complete', ...where('task->', true)]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toContain('pid\tfield\tpid_t');
    expect(lines).toContain('tgid\tfield\tpid_t');

    const json = await cli(['complete', ...where('task->', true), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const r = LspResult.parse(JSON.parse(json.stdout));
    expect(r.method).toBe('completion');
    if (r.method !== 'completion') return;
    expect(r.items.map((i) => i.label)).toEqual(expect.arrayContaining(['pid', 'tgid', 'comm']));
  });

  it('hover on bpf_ringbuf_reserve prints its signature and libbpf’s documentation', async () => {
    const r = await cli(['hover', ...where('bpf_ringbuf_reserve', false)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bpf_ringbuf_reserve');
    expect(r.stdout).toMatch(/void \*\(\*const\)\(void \*, __u64, __u64\)|void \*ringbuf/);
    expect(r.stdout).toMatch(/Reserve \*size\* bytes of payload in a ring buffer/);
  });

  it('says what is wrong when the position is missing, before asking anyone', async () => {
    const r = await cli(['hover']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--line and --col are required and count from 1/);
  });
});
