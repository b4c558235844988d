/**
 * What one participant can take from the others, and where the token can leak: sessions per client
 * (by peer address; forwarding headers count only from a trusted proxy), BTF uploads per session
 * and in total, and the token never on a command line or in a runner's environment.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import type { AgentProcess } from '../harness/agent-process.js';
import { requireKernel } from '../harness/kernel.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { processTree } from '../examples/leftovers.js';
import { agentAlive, closeTabs, startPolicyAgent } from './agents.js';
import { runOnce } from './driver.js';
import { Tally } from './summary.js';

const MiB = 1 << 20;
const LIMITS = {
  maxSessions: 32,
  maxSessionsPerToken: 16,
  maxSessionsPerClient: 2,
  maxBtfUploadsPerSession: 1,
  maxBtfUploadBytes: 8 * MiB,
  maxBtfUploadBytesTotal: 10 * MiB,
};
/** A loopback address the agent is told is its relay (`--trust-proxy`). */
const PROXY = '127.0.0.3';
const tally = new Tally();
let agent: AgentProcess;
const open: TestClient[] = [];
const closeAll = () => closeTabs(agent, open);

beforeAll(async () => {
  requireKernel();
  agent = await startPolicyAgent({ limits: LIMITS }, ['--trust-proxy', PROXY]);
});
afterAll(async () => {
  await closeAll();
  if (agent) {
    if (!(await agentAlive(agent))) tally.crashes++;
    await agent.stop();
  }
  const title = 'clients and tokens';
  tally.save(title);
  console.log(tally.table(title));
});

function tab(opts: { headers?: Record<string, string>; localAddress?: string } = {}): TestClient {
  const c = connect(agent.wsUrl, { token: agent.token, ...opts });
  open.push(c);
  return c;
}
const isHello = (m: ServerMessage) => m.type === 'hello';
/** 'hello' when the agent took the session, else how it closed it. */
async function outcome(c: TestClient): Promise<string> {
  return Promise.race([
    c.waitFor(isHello).then(() => 'hello'),
    c.closed.then(({ code, reason }) => `closed ${code}: ${reason}`),
  ]);
}

describe('clients and tokens', () => {
  it('sessions per client: a third tab from one address is refused, spoofed forwarding headers change nothing', async () => {
    expect(await Promise.all([outcome(tab()), outcome(tab())])).toEqual(['hello', 'hello']);
    const spoofed = await outcome(
      tab({ headers: { 'x-bpfplay-client': 'someone-else', 'x-forwarded-for': '198.51.100.7' } }),
    );
    const refused = /^closed 4429: you have 2 sessions open on this agent \(limit 2 per client\); close a tab first$/;
    tally.record('sessions per client', 'third tab, spoofed headers', refused.test(spoofed) ? undefined : spoofed);
    expect(spoofed).toMatch(refused);
    // Another address is another client: it still gets in.
    const other = await outcome(tab({ localAddress: '127.0.0.2' }));
    tally.record('sessions per client', 'another client still served', other === 'hello' ? undefined : other);
    expect(other).toBe('hello');
    await closeAll();
  });

  it('behind the trusted relay, each learner it names is a client of their own', async () => {
    const learners = ['l1', 'l2', 'l3'].map((id) => tab({ localAddress: PROXY, headers: { 'x-bpfplay-client': id } }));
    const got = await Promise.all(learners.map(outcome));
    const third = await outcome(tab({ localAddress: PROXY, headers: { 'x-bpfplay-client': 'l1' } }));
    const again = await outcome(tab({ localAddress: PROXY, headers: { 'x-bpfplay-client': 'l1' } }));
    tally.record(
      'sessions per client',
      'relay names learners',
      got.every((g) => g === 'hello') && third === 'hello' && /^closed 4429/.test(again)
        ? undefined
        : JSON.stringify([got, third, again]),
    );
    expect(got).toEqual(['hello', 'hello', 'hello']);
    expect([third, again]).toEqual(['hello', expect.stringMatching(/^closed 4429: you have 2 sessions/)]);
    await closeAll();
  });

  it('BTF uploads: one file per session, none over 8 MiB, and the agent answers plainly and keeps serving', async () => {
    const c = tab();
    await c.waitFor(isHello);
    const btf = readFileSync('/sys/kernel/btf/vmlinux').toString('base64');
    c.send({ type: 'btf-upload', name: 'first', data: btf });
    expect(await c.waitFor((m) => m.type === 'btf-uploaded')).toMatchObject({ name: 'first' });
    c.send({ type: 'btf-upload', name: 'second', data: btf });
    const second = await c.waitFor((m) => m.type === 'error');
    c.send({ type: 'btf-upload', name: 'huge', data: Buffer.alloc(9 * MiB).toString('base64') });
    const huge = await c.waitFor((m) => m.type === 'error' && m !== second);
    const ok =
      second.type === 'error' &&
      second.code === 'quota' &&
      /uploaded 1 BTF files \(limit 1\)/.test(second.message) &&
      huge.type === 'error' &&
      huge.code === 'quota' &&
      /"huge" is 9\.0 MiB; this agent takes BTF files up to 8\.0 MiB/.test(huge.message);
    tally.record('BTF uploads', 'per session and per file', ok ? undefined : JSON.stringify([second, huge]));
    expect(second).toMatchObject({ code: 'quota', message: expect.stringMatching(/limit 1/) });
    expect(huge).toMatchObject({ code: 'quota', message: expect.stringMatching(/up to 8\.0 MiB/) });
    // A second session's upload would pass the agent's 10 MiB total: refused, the first one stays usable.
    const d = tab({ localAddress: '127.0.0.2' });
    await d.waitFor(isHello);
    d.send({ type: 'btf-upload', name: 'other', data: btf });
    const total = await d.waitFor((m) => m.type === 'error' || m.type === 'btf-uploaded');
    tally.record(
      'BTF uploads',
      'total on the agent',
      total.type === 'error' && total.code === 'quota' ? undefined : JSON.stringify(total),
    );
    expect(total).toMatchObject({ code: 'quota', message: expect.stringMatching(/takes 10\.0 MiB in all/) });
    const run = await runOnce(
      c,
      'after',
      {
        'p.bpf.c': `#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nSEC("tp/syscalls/sys_enter_getppid") int cl_up(void *c) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n`,
      },
      { options: { mode: 'compile', coreTargets: ['first'] } },
    );
    expect(run.stopped?.reason, run.stopped?.message).toBe('finished');
    await closeAll();
  });

  it('the token is on no command line and in no runner environment', async () => {
    const c = tab();
    await c.waitFor(isHello);
    const pids = processTree(agent.child.pid!);
    const cmdlines = pids.map((p) => readText(`/proc/${p}/cmdline`));
    const environs = pids.slice(1).map((p) => readText(`/proc/${p}/environ`));
    const leaked = [...cmdlines, ...environs].filter((t) => t.includes(agent.token)).length;
    tally.record(
      'token exposure',
      `${pids.length} agent processes' command lines, ${environs.length} child environments`,
      leaked ? `${leaked} hold the token` : undefined,
    );
    expect(pids.length, 'the agent keeps a warm runner').toBeGreaterThan(1);
    expect(leaked).toBe(0);
    await closeAll();
  });
});

function readText(path: string): string {
  try {
    return readFileSync(path).toString('latin1');
  } catch {
    return '';
  }
}
