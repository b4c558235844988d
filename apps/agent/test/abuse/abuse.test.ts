/**
 * The abuse catalogue against a real agent: every denied helper, kfunc and program type, include
 * tricks, compile bombs, maps asking for GiBs, thousands of programs, and attaching to as much as
 * the quota allows. Each case must be answered the way cases.ts says; afterwards the agent is alive
 * and holds no program. Prints the summary table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../harness/agent-process.js';
import { requireKernel, waitNoPrograms } from '../harness/kernel.js';
import { connect } from '../harness/ws-client.js';
import { ABUSE_COMPILE, agentAlive, runCases, startPolicyAgent } from './agents.js';
import { everySyscall } from './attach-all.js';
import { abuseCases, manyPrograms } from './cases.js';
import { programsHeldByAgent, runOnce } from './driver.js';
import { Tally } from './summary.js';

const tag = `a${Math.random().toString(36).slice(2, 5)}`;
const tally = new Tally();
let agent: AgentProcess;

beforeAll(async () => {
  requireKernel();
  agent = await startPolicyAgent({ compile: ABUSE_COMPILE });
});
afterAll(async () => {
  if (agent) {
    if (!(await agentAlive(agent))) tally.crashes++;
    await agent.stop();
  }
  tally.leaks += (await waitNoPrograms(tag, 5000)).length;
  const title = 'abuse catalogue';
  tally.save(title);
  console.log(tally.table(title));
});

describe('abuse catalogue', () => {
  it('answers every case as the policy and quotas say, and survives', async () => {
    const cases = abuseCases(tag);
    await runCases(agent, cases, tally, 4, process.env.BPFPLAY_ABUSE_LOG ? (l) => console.log(l) : undefined);
    expect(tally.failures).toEqual([]);
    expect([...tally.groups.values()].reduce((n, g) => n + g.tried, 0)).toBe(cases.length);
    expect(await agentAlive(agent)).toBe(true);
  }, 300_000);

  it('attaches 64 programs to 64 syscalls, streams, and refuses the 65th', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    const all = everySyscall(`${tag}x`, 64);
    const o = await runOnce(c, 'all', { 'all.bpf.c': all.source }, { options: { durationSec: 2 } });
    const attached = o.messages.find((m) => m.type === 'attached');
    const ok = attached?.type === 'attached' ? attached.links.filter((l) => l.ok).length : 0;
    const verdict =
      o.stopped?.reason === 'timeout' && ok === 64
        ? undefined
        : `stopped ${o.stopped?.reason}: ${o.stopped?.message}; ${ok}/64 attached`;
    tally.record('attach to everything', '64 syscall tracepoints', verdict);
    expect(verdict).toBeUndefined();
    const snapshot = o.messages.filter((m) => m.type === 'maps').at(-1);
    tally.figure('attach-all: map snapshots', o.messages.filter((m) => m.type === 'maps').length);
    expect(snapshot).toBeDefined();

    const more = everySyscall(`${tag}y`, 65);
    const r = await runOnce(c, 'more', { 'more.bpf.c': more.source });
    const refused =
      r.stopped?.reason === 'refused' && /65 programs/.test(r.stopped.message)
        ? undefined
        : `got ${r.stopped?.reason}: ${r.stopped?.message}`;
    tally.record('attach to everything', '65 programs (one over the quota)', refused);
    expect(refused).toBeUndefined();
    c.close();
    const left = await programsHeldByAgent(agent.child.pid!);
    tally.leaks += left.length;
    expect(left).toEqual([]);
  }, 120_000);

  it('keeps 64 programs from a macro within the quota and runs them', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    const o = await runOnce(c, 'm64', { 'm.bpf.c': manyPrograms(`${tag}z`, 64) }, { options: { durationSec: 1 } });
    tally.record(
      'program count',
      '64 programs (at the quota)',
      o.stopped?.reason === 'timeout' ? undefined : `${o.stopped?.reason}: ${o.stopped?.message}`,
    );
    expect(o.stopped?.reason).toBe('timeout');
    c.close();
  }, 60_000);
});
