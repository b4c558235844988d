/**
 * Protocol fuzzing against a real agent: thousands of random and mutated messages (fast-check, seed
 * printed for reproduction), invalid UTF-8 and oversized frames, junk HTTP requests. The agent must
 * answer each message with the right frame, close abusive connections with a reason, and keep
 * running programs afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../harness/agent-process.js';
import { requireKernel } from '../harness/kernel.js';
import { connect } from '../harness/ws-client.js';
import { agentAlive, startPolicyAgent } from './agents.js';
import { runOnce } from './driver.js';
import { FuzzConnection, fuzzAgent } from './fuzz.js';
import { Tally } from './summary.js';

const MESSAGES = Number(process.env.BPFPLAY_FUZZ_MESSAGES ?? 3000);
const SEED = Number(process.env.BPFPLAY_FUZZ_SEED ?? Date.now() % 1_000_000);
const MAX_PROTOCOL_ERRORS = 5000;
const tally = new Tally();
let agent: AgentProcess;

beforeAll(async () => {
  requireKernel();
  agent = await startPolicyAgent({ limits: { maxProtocolErrors: MAX_PROTOCOL_ERRORS } });
});
afterAll(async () => {
  if (agent) {
    if (!(await agentAlive(agent))) tally.crashes++;
    await agent.stop();
  }
  const title = `protocol fuzzing (seed ${SEED})`;
  tally.save(title);
  console.log(tally.table(title));
});

describe('protocol fuzzing', () => {
  it(`answers ${MESSAGES} random and mutated messages, each with the right frame`, async () => {
    let failure: string | undefined;
    try {
      const f = await fuzzAgent(agent.wsUrl, agent.token, {
        messages: MESSAGES,
        seed: SEED,
        perConnection: MAX_PROTOCOL_ERRORS,
      });
      tally.figure('fuzz: messages sent / answered', `${f.messages} / ${f.answered} over ${f.connections} connections`);
      tally.figure('fuzz: valid runs generated (not sent)', f.validRunsSkipped);
      tally.figure(
        'fuzz: answers',
        Object.entries(f.byAnswer)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      );
      for (let i = 0; i < f.messages; i++) tally.record('fuzz message', String(i), undefined);
    } catch (e) {
      failure = (e as Error).message;
      tally.record('fuzz message', `seed ${SEED}`, failure.slice(0, 2000));
    }
    expect(failure, `reproduce with BPFPLAY_FUZZ_SEED=${SEED}`).toBeUndefined();
    expect(await agentAlive(agent)).toBe(true);
  }, 240_000);

  it('closes a connection after too many malformed messages, with a reason', async () => {
    const c = new FuzzConnection(agent.wsUrl, agent.token);
    await c.opened;
    for (let i = 0; i <= MAX_PROTOCOL_ERRORS; i++) c.sendRaw('{', false);
    const closed = await c.waitClosed();
    tally.record(
      'connection abuse',
      'too many malformed messages',
      closed.code === 1008 ? undefined : `closed ${closed.code}`,
    );
    expect(closed).toEqual({ code: 1008, reason: 'too many malformed messages' });
  });

  it('closes on invalid UTF-8 and on frames over the size limit, and survives both', async () => {
    const utf = new FuzzConnection(agent.wsUrl, agent.token);
    await utf.opened;
    utf.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    const u = await utf.waitClosed();
    tally.record('connection abuse', 'invalid UTF-8 text frame', u.code === 1007 ? undefined : `closed ${u.code}`);
    expect(u.code).toBe(1007);

    const big = new FuzzConnection(agent.wsUrl, agent.token);
    await big.opened;
    big.sendRaw(Buffer.alloc(49 * 1024 * 1024, 0x20), false);
    const b = await big.waitClosed(30_000);
    tally.record(
      'connection abuse',
      '49 MiB frame',
      b.code === 1009 || b.code === 1006 ? undefined : `closed ${b.code}`,
    );
    // ws answers 1009 (message too big) and drops the socket; the sender may see that as 1006 mid-upload.
    expect([1009, 1006]).toContain(b.code);
    expect(await agentAlive(agent)).toBe(true);
  }, 60_000);

  it('answers junk HTTP requests with 4xx, never 5xx, and never crashes', async () => {
    const paths = [
      '/',
      '/ws',
      '/api/info',
      '/api/info/../../etc/passwd',
      '/%00',
      `/${'a'.repeat(8000)}`,
      '/healthz?x=%ff',
      '/api/run',
    ];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
    const tokens = [undefined, '', 'wrong', agent.token, `${agent.token}x`, 'a'.repeat(10_000)];
    const origins = [undefined, 'http://evil.example', 'null', 'http://127.0.0.1:3000'];
    let n = 0;
    const bad: string[] = [];
    for (const path of paths)
      for (const method of methods)
        for (const token of tokens)
          for (const origin of origins) {
            n++;
            const headers: Record<string, string> = {};
            if (token !== undefined) headers.authorization = `Bearer ${token}`;
            if (origin) headers.origin = origin;
            const r = await fetch(`${agent.url}${path}`, {
              method,
              headers,
              ...(method === 'POST' ? { body: '{"type":"run"}' } : {}),
            }).catch((e: Error) => ({ status: 0, e }));
            if (r.status === 0 || r.status >= 500)
              bad.push(`${method} ${path.slice(0, 40)} token=${token?.slice(0, 8)} origin=${origin}: ${r.status}`);
          }
    tally.record('http junk', `${n} requests`, bad.length ? bad.slice(0, 5).join('; ') : undefined);
    tally.figure('http junk requests', n);
    expect(bad).toEqual([]);
    expect(await agentAlive(agent)).toBe(true);
  }, 120_000);

  it('still runs a program afterwards', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    const o = await runOnce(
      c,
      'after',
      {
        'p.bpf.c':
          '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\nSEC("tp/syscalls/sys_enter_getppid") int fz_after(void *c) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n',
      },
      { options: { durationSec: 1 } },
    );
    expect(o.stopped?.reason).toBe('timeout');
    c.close();
  });
});
