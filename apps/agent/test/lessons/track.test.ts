/**
 * The lesson track's promise, on the real kernel, through the CLI a lesson author uses
 * (`bpfplay lesson check ID FILE... --agent`): every lesson's solution passes its check, its
 * starter does not, and a program that prints a hard-coded answer does not either (the check plants
 * a fresh value each time). Afterwards nothing of a check is left: no program in the kernel, no
 * trigger process. One agent serves every check, as it would serve a workshop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { readLessons } from '@bpfplay/lessons';
import { Transcript } from '../../src/cli/format.js';
import { REPO, useSharedAgent, type AgentProcess } from '../harness/agent-process.js';
import { cliOutput, serverMessages, writeSnippet } from '../harness/cli.js';
import { programNames } from '../examples/expect.js';
import { programsLeftByAgent } from '../examples/leftovers.js';

const DIR = join(REPO, 'bpf/lessons');
const { lessons } = readLessons(DIR);

interface Checked {
  code: number | null;
  messages: ServerMessage[];
  verdict?: ServerMessageOf<'verdict'>;
  stdout: string;
  stderr: string;
}

async function check(agent: AgentProcess, lesson: string, files: string[], json = true): Promise<Checked> {
  const r = await cliOutput(
    ['lesson', 'check', lesson, ...files, '--agent', agent.url, ...(json ? ['--json'] : [])],
    agent.token,
  );
  const messages = json ? serverMessages(r.stdout) : [];
  const verdict = messages.find((m): m is ServerMessageOf<'verdict'> => m.type === 'verdict');
  return { ...r, messages, ...(verdict ? { verdict } : {}) };
}

const filesOf = (lesson: string, which: 'starter' | 'solution') =>
  readdirSync(join(DIR, lesson, which)).map((f) => join(DIR, lesson, which, f));

/** The check as the CLI prints it to a person, for failure messages. */
function transcript(c: Checked): string {
  const t = new Transcript();
  const lines = c.messages.map((m) => t.format(m)).filter((l): l is string => l !== undefined);
  return [`exit code ${c.code}`, ...lines.slice(-25), 'stderr:', c.stderr.trim().slice(-1500)]
    .map((l) => `  | ${l}`)
    .join('\n');
}

/** Processes still named like a planted comm: a trigger the check did not end. */
function aliveNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === comm) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function leftovers(agent: AgentProcess, c: Checked): Promise<string[]> {
  const left = await programsLeftByAgent(programNames(c.messages), agent.child.pid!);
  const comm = c.verdict?.planted.comm;
  const alive = typeof comm === 'string' ? aliveNamed(comm) : [];
  return [...left.map((p) => `program ${p}`), ...alive.map((pid) => `trigger process ${pid} (${comm})`)];
}

/**
 * Checks mostly wait (for a trigger, for their deadline), not compute: run four at once, as a
 * room of learners would, so the track costs CI about a quarter of its checks' time.
 */
const CONCURRENT_CHECKS = 4;

function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

describe('the lesson track on this kernel', () => {
  const agent = useSharedAgent();
  const limit = limiter(CONCURRENT_CHECKS);
  /** Started on first use, so every lesson's checks are under way while earlier tests assert. */
  const pending = new Map<string, Promise<[Checked, Checked]>>();
  const checksOf = (id: string) => {
    if (!pending.size)
      for (const l of lessons)
        pending.set(
          l.id,
          Promise.all([
            limit(() => check(agent, l.id, filesOf(l.id, 'solution'))),
            limit(() => check(agent, l.id, filesOf(l.id, 'starter'))),
          ]),
        );
    return pending.get(id)!;
  };

  it('has lessons to check', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(10);
  });

  for (const lesson of lessons) {
    it(`${lesson.id}: the solution passes its check and the starter does not`, async () => {
      const [solution, starter] = await checksOf(lesson.id);
      expect(solution.verdict, `no verdict for the solution:\n${transcript(solution)}`).toBeDefined();
      expect(
        solution.verdict!.passed,
        `the solution of ${lesson.id} did not pass: ${solution.verdict!.summary}\n${transcript(solution)}`,
      ).toBe(true);
      expect(solution.code).toBe(0);
      expect(starter.verdict, `no verdict for the starter:\n${transcript(starter)}`).toBeDefined();
      expect(starter.verdict!.passed, `the starter of ${lesson.id} passed its check`).toBe(false);
      expect(starter.code).toBe(1);
      // Other lessons' checks run in the same agent at the same time, and several lessons name
      // their program alike (on_exec): judge leftovers once no check is running any more.
      await Promise.allSettled(pending.values());
      expect([...(await leftovers(agent, solution)), ...(await leftovers(agent, starter))]).toEqual([]);
    });
  }

  it('fails a program that prints a hard-coded answer, and says what was expected', async () => {
    const hello = lessons.find((l) => l.index === 1)!;
    // What a learner might paste after seeing someone else's passing output.
    const files = writeSnippet({
      [hello.main]: readFileSync(filesOf(hello.id, 'solution')[0]!, 'utf8').replace(
        'bpf_printk("exec: %s", comm);',
        'bpf_printk("exec: bpq1w2e3r4t5y6");',
      ),
    });
    const r = await check(agent, hello.id, files, false);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^lesson 01-hello-printk: NOT PASSED/);
    expect(r.stdout).toMatch(
      /✗ a printk line naming the program that started \(bp[a-z0-9]{10}\) — your program produced \d+ printk lines, e.g. "exec: bpq1w2e3r4t5y6"/,
    );
  });

  it('fails a map filled with a fixed key for the XDP lesson', async () => {
    const xdp = lessons.find((l) => /XDP/.test(l.title))!;
    const files = writeSnippet({
      [xdp.main]: readFileSync(filesOf(xdp.id, 'solution')[0]!, 'utf8').replace(
        'key = bpf_ntohs(udp->dest);',
        'key = 31337;',
      ),
    });
    const r = await check(agent, xdp.id, files);
    expect(r.verdict?.passed).toBe(false);
    expect(r.verdict?.summary).toMatch(
      /^Not yet: expected map ports counts the 5 UDP packets sent to port \d+, but map ports had 1 entries, none with that key, e.g. 31337 → \d+/,
    );
  });

  it('says in plain words why a program that does not compile fails', async () => {
    const files = writeSnippet({ 'hello.bpf.c': 'int main(void) { return nope; }' });
    const r = await check(agent, '1', files, false);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Your program did not compile: hello\.bpf\.c:1:\d+: use of undeclared identifier 'nope'/);
  });

  it('lists the track and refuses an unknown lesson with the list', async () => {
    const list = await cliOutput(['lesson', 'list']);
    expect(list.code).toBe(0);
    for (const l of lessons) expect(list.stdout).toMatch(new RegExp(`${l.id} +${l.title.replace(/[?()]/g, '\\$&')}`));
    const unknown = await cliOutput(
      ['lesson', 'check', 'no-such-lesson', 'x.bpf.c', '--agent', agent.url],
      agent.token,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no lesson "no-such-lesson".*lessons: 01-hello-printk, /);
  });
});
