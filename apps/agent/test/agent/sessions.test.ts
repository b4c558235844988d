import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { startAgentProcess, useSharedAgent } from '../harness/agent-process.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { printkOnGetppid } from './programs.js';

const agent = useSharedAgent(['--allow-origin', 'http://playground.test']);

const isType =
  <T extends ServerMessage['type']>(type: T, runId?: string) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: T }> =>
    m.type === type && (runId === undefined || (m as { runId?: string }).runId === runId);

function run(c: TestClient, runId: string, source: string, durationSec = 30): void {
  c.send({ type: 'run', runId, snippet: { files: [{ name: 'p.bpf.c', content: source }] }, options: { durationSec } });
}

/** getppid() from a fresh process, so the probe fires on demand. */
const fire = () => execFileSync('sh', ['-c', 'for i in 1 2 3; do sh -c "cat /dev/null" ; done']);

describe('sessions', () => {
  it('gives each session only its own printk lines', async () => {
    const a = connect(agent.wsUrl, { token: agent.token });
    const b = connect(agent.wsUrl, { token: agent.token });
    run(a, 'ra', printkOnGetppid(uniqueName('t_pa'), 'from-A'));
    run(b, 'rb', printkOnGetppid(uniqueName('t_pb'), 'from-B'));
    await a.waitFor(isType('status', 'ra'));
    await Promise.all([
      a.waitFor((m) => m.type === 'status' && m.state === 'running'),
      b.waitFor((m) => m.type === 'status' && m.state === 'running'),
    ]);
    // Both programs fire on the same syscalls at the same time: the kernel's trace_pipe would mix them.
    fire();
    await Promise.all([a.waitFor(isType('printk', 'ra')), b.waitFor(isType('printk', 'rb'))]);
    fire();
    a.send({ type: 'stop', runId: 'ra' });
    b.send({ type: 'stop', runId: 'rb' });
    // `stopped` follows the final drain: every line either run produced has arrived.
    expect((await a.waitFor(isType('stopped', 'ra'))).reason).toBe('user');
    expect((await b.waitFor(isType('stopped', 'rb'))).reason).toBe('user');
    const lines = (c: TestClient) =>
      c.messages
        .filter((m): m is Extract<ServerMessage, { type: 'printk' }> => m.type === 'printk')
        .flatMap((m) => m.lines.map((l) => l.text));
    expect(lines(a).length).toBeGreaterThan(0);
    expect(lines(b).length).toBeGreaterThan(0);
    expect(lines(a).every((t) => t.startsWith('from-A'))).toBe(true);
    expect(lines(b).every((t) => t.startsWith('from-B'))).toBe(true);
    a.close();
    b.close();
  });

  it('releases every program when the socket closes mid-run', async () => {
    const name = uniqueName('t_drop');
    const c = connect(agent.wsUrl, { token: agent.token });
    run(c, 'r1', printkOnGetppid(name, 'x'));
    await c.waitFor((m) => m.type === 'status' && m.state === 'running');
    c.ws.terminate();
    expect(await waitNoPrograms(name, 5000)).toEqual([]);
  });

  it('ends a run at its time limit and releases it', async () => {
    const name = uniqueName('t_time');
    const c = connect(agent.wsUrl, { token: agent.token });
    run(c, 'r1', printkOnGetppid(name, 'x'), 1);
    const stopped = await c.waitFor(isType('stopped', 'r1'));
    expect(stopped.reason).toBe('timeout');
    expect(stopped.message).toMatch(/1 s/);
    expect(await waitNoPrograms(name)).toEqual([]);
    c.close();
  });
});

describe('bad input', () => {
  it('answers malformed JSON, unknown types and oversized snippets with errors, and keeps working', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    await c.waitFor(isType('hello'));
    c.sendRaw('{not json');
    expect((await c.waitFor(isType('error'))).code).toBe('bad-json');
    c.send({ type: 'launch-missiles' });
    const unknown = await c.waitFor((m) => m.type === 'error' && m.message.includes('launch-missiles'));
    expect(unknown).toMatchObject({ code: 'bad-message' });
    const huge = `// ${'x'.repeat(70 * 1024)}\n${printkOnGetppid('t_huge', 'x')}`;
    run(c, 'big', huge);
    const tooBig = await c.waitFor((m) => m.type === 'error' && m.runId === 'big');
    expect(tooBig.type === 'error' && tooBig.message).toMatch(/limit is 65536 bytes/);
    c.send({ type: 'stop', runId: 'nope' });
    expect((await c.waitFor((m) => m.type === 'error' && m.runId === 'nope')).type).toBe('error');
    // The same connection still runs programs.
    const name = uniqueName('t_after');
    run(c, 'ok', printkOnGetppid(name, 'still-works'), 10);
    await c.waitFor((m) => m.type === 'status' && m.state === 'running');
    fire();
    const p = await c.waitFor(isType('printk', 'ok'));
    expect(p.lines[0]?.text).toMatch(/still-works/);
    c.send({ type: 'stop', runId: 'ok' });
    await c.waitFor(isType('stopped', 'ok'));
    c.close();
  });

  it('closes a connection with a wrong token (4401) or a foreign Origin (4403)', async () => {
    const wrong = connect(agent.wsUrl, { token: 'not-the-token' });
    expect(await wrong.closed).toMatchObject({ code: 4401, reason: expect.stringMatching(/token/) });
    const none = connect(agent.wsUrl);
    expect((await none.closed).code).toBe(4401);
    const evil = connect(agent.wsUrl, { token: agent.token, origin: 'http://evil.example' });
    expect(await evil.closed).toMatchObject({ code: 4403, reason: expect.stringMatching(/origin/) });
    const allowed = connect(agent.wsUrl, { token: agent.token, origin: 'http://playground.test' });
    expect((await allowed.waitFor(isType('hello'))).version).toBe(1);
    allowed.close();
  });

  it('checks the token and Origin on HTTP requests too', async () => {
    expect((await fetch(`${agent.url}/api/info`)).status).toBe(401);
    const ok = await fetch(`${agent.url}/api/info?token=${agent.token}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { capabilities: { btf: boolean } }).capabilities.btf).toBe(true);
    const evil = await fetch(`${agent.url}/api/info?token=${agent.token}`, {
      headers: { origin: 'http://evil.example' },
    });
    expect(evil.status).toBe(403);
  });
});

describe('agent exit', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no program in the kernel after ${signal}`, async () => {
      const own = await startAgentProcess();
      const name = uniqueName(signal === 'SIGTERM' ? 't_term' : 't_kill');
      const c = connect(own.wsUrl, { token: own.token });
      run(c, 'r1', printkOnGetppid(name, 'x'));
      await c.waitFor((m) => m.type === 'status' && m.state === 'running');
      await own.stop(signal);
      expect(await waitNoPrograms(name, 5000)).toEqual([]);
    });
  }
});
