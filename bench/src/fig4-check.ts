import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snippet } from '@bpfplay/protocol';
import { REPO } from '../../apps/agent/test/harness/agent-process.js';
import type { BenchAgent } from './agent.js';
import { BenchClient } from './client.js';

/** The lesson every learner checks: the first of the track, the one a whole room starts with. */
const LESSON = '01-hello-printk';
const ALONE_TRIALS = 3;

export interface CheckRound {
  lesson: string;
  /** sent → verdict of one learner checking with nobody else on the agent. */
  alone: number[];
  /** sent → verdict of each of `n` learners pressing Check at the same moment. */
  together: number[];
  verdicts: number;
  passed: number;
}

/** The lesson's solution, with a comment of this learner's so that every check compiles. */
function solution(tag: string): Snippet {
  const dir = join(REPO, 'bpf/lessons', LESSON, 'solution');
  return {
    files: readdirSync(dir).map((name, i) => ({
      name,
      content: `${i === 0 ? `// learner ${tag}\n` : ''}${readFileSync(join(dir, name), 'utf8')}`,
    })),
  };
}

async function checkAll(agent: BenchAgent, tags: string[]): Promise<{ ms: number[]; passed: number }> {
  const clients = await Promise.all(
    tags.map((t) => BenchClient.open(agent.wsUrl, agent.token, { clientId: `bench-check-${t}` })),
  );
  try {
    const r = await Promise.all(
      clients.map(async (c, i) => {
        const { sentAt, verdict } = c.check(`check-${tags[i]}`, LESSON, solution(`${Date.now()}-${tags[i]}`));
        const v = await verdict;
        return { ms: v.at - sentAt, passed: v.m.passed };
      }),
    );
    return { ms: r.map((x) => x.ms), passed: r.filter((x) => x.passed).length };
  } finally {
    for (const c of clients) c.close();
  }
}

/** One learner alone (a few times), then `n` learners pressing Check at once, each its own session. */
export async function checkRound(n: number, agent: BenchAgent): Promise<CheckRound> {
  const alone: number[] = [];
  for (let i = 0; i < ALONE_TRIALS; i++) alone.push(...(await checkAll(agent, [`alone-${i}`])).ms);
  const together = await checkAll(
    agent,
    Array.from({ length: n }, (_, i) => `room-${i}`),
  );
  return { lesson: LESSON, alone, together: together.ms, verdicts: together.ms.length, passed: together.passed };
}
