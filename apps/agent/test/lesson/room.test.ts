/**
 * Issue 13's workshop at once: a scripted room of 50 learners, each its own session and its own
 * client (the test plays the web app's relay: the agent trusts it with --trust-proxy and each
 * learner comes with an X-Bpfplay-Client of their own), presses lesson Check at the same moment.
 * Every learner gets a verdict, right for what they sent (most send the solution, some the starter),
 * while the agent stays within its quotas — its processes (runners shared by runs, compilers) and
 * their memory — and after everybody leaves, nothing of theirs is left in the kernel or running.
 * Timings are the bench's business (figure 4); here nothing depends on how fast the machine is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerMessage, Snippet } from '@bpfplay/protocol';
import { DEFAULT_COMPILE_LIMITS, RUNNER_SHARING } from '../../src/limits.js';
import { REPO, useSharedAgent } from '../harness/agent-process.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { heldBpf, processTree } from '../examples/leftovers.js';

const LEARNERS = 50;
/** Every STARTER_EVERY-th learner sends the starter, which must fail while the others pass. */
const STARTER_EVERY = 5;
const LESSON = '01-hello-printk';
/** The memory target for agent + runners + compilers, as a quota the room must stay under. */
const MAX_TREE_BYTES = 1.5 * 2 ** 30;

const agent = useSharedAgent(['--trust-proxy', '127.0.0.1']);

function snippet(which: 'solution' | 'starter', learner: number): Snippet {
  const dir = join(REPO, 'bpf/lessons', LESSON, which);
  // A comment of the learner's own: every check compiles, as 50 people's code would.
  return {
    files: readdirSync(dir).map((name) => ({
      name,
      content: `// learner ${learner}\n${readFileSync(join(dir, name), 'utf8')}`,
    })),
  };
}

interface Tree {
  bytes: number;
  runners: number;
  clangs: number;
}

function sampleTree(root: number): Tree {
  const t = { bytes: 0, runners: 0, clangs: 0 };
  for (const pid of processTree(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      t.bytes += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      const comm = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
      if (comm.startsWith('clang')) t.clangs++;
      else if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('runner.js')) t.runners++;
    } catch {
      // ended while we looked
    }
  }
  return t;
}

const isVerdict = (runId: string) => (m: ServerMessage) => m.type === 'verdict' && m.runId === runId;

describe(`a room of ${LEARNERS} learners`, () => {
  it('all press Check at once: every verdict arrives and is right, within quotas, nothing left after', async () => {
    const root = agent.child.pid!;
    const learners: TestClient[] = Array.from({ length: LEARNERS }, (_, i) =>
      connect(agent.wsUrl, { token: agent.token, headers: { 'X-Bpfplay-Client': `room-learner-${i}` } }),
    );
    await Promise.all(learners.map((c) => c.waitFor((m) => m.type === 'hello', 60_000)));

    let peak: Tree = { bytes: 0, runners: 0, clangs: 0 };
    const sampler = setInterval(() => {
      const t = sampleTree(root);
      peak = {
        bytes: Math.max(peak.bytes, t.bytes),
        runners: Math.max(peak.runners, t.runners),
        clangs: Math.max(peak.clangs, t.clangs),
      };
    }, 100);
    try {
      learners.forEach((c, i) =>
        c.send({
          type: 'lesson-check',
          runId: `check-${i}`,
          lesson: LESSON,
          snippet: snippet(i % STARTER_EVERY === 0 ? 'starter' : 'solution', i),
        }),
      );
      const verdicts = await Promise.all(learners.map((c, i) => c.waitFor(isVerdict(`check-${i}`), 600_000)));
      verdicts.forEach((v, i) => {
        if (v.type !== 'verdict') throw new Error('not a verdict');
        const expected = i % STARTER_EVERY !== 0;
        expect(v.passed, `learner ${i} (${expected ? 'solution' : 'starter'}): ${v.summary}`).toBe(expected);
      });
      // Each check ran to its end: none was turned away for a quota or ended by anything but the check.
      for (const [i, c] of learners.entries()) {
        const stopped = c.messages.find((m) => m.type === 'stopped' && m.runId === `check-${i}`);
        expect(stopped && stopped.type === 'stopped' && stopped.reason, `learner ${i}`).toMatch(
          /^(user|timeout|finished)$/,
        );
        expect(
          c.messages.some((m) => m.type === 'error'),
          `learner ${i} got a protocol error`,
        ).toBe(false);
      }
    } finally {
      clearInterval(sampler);
    }
    // Quotas: runners shared as configured (a process per 8 runs, a little room kept ahead), clang
    // never more than the compile queue's concurrency plus the one kept waiting, memory under target.
    expect(peak.runners).toBeLessThanOrEqual(Math.ceil(LEARNERS / RUNNER_SHARING.runsPerRunner) + 2);
    expect(peak.clangs).toBeLessThanOrEqual(DEFAULT_COMPILE_LIMITS.concurrency + 1);
    expect(peak.bytes).toBeLessThan(MAX_TREE_BYTES);

    // No check's trigger is still running (each ran under its planted process name).
    const planted = new Set(
      learners.flatMap((c) => c.messages.flatMap((m) => (m.type === 'verdict' ? [String(m.planted.comm)] : []))),
    );
    expect(planted.size).toBe(LEARNERS);
    const running = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          return [readFileSync(`/proc/${d}/comm`, 'utf8').trim()];
        } catch {
          return [];
        }
      });
    expect(running.filter((comm) => planted.has(comm))).toEqual([]);

    for (const c of learners) c.close();
    await Promise.all(learners.map((c) => c.closed));
    // Nothing leaked: no program, map or link held by the agent or any of its processes.
    const until = Date.now() + 10_000;
    let held = heldBpf(processTree(root));
    while (held.programs + held.maps + held.links > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      held = heldBpf(processTree(root));
    }
    expect(held).toEqual({ programs: 0, maps: 0, links: 0 });
  }, 900_000);
});
