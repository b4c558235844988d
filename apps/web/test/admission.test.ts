import { describe, expect, it } from 'vitest';
import { ADMISSION, AdmissionLine, type Ticket } from '../server/admission';

/** A clock whose timers run only when the test says so. */
function manualClock() {
  const timers: { fn: () => void; ms: number }[] = [];
  return {
    timers,
    setTimeout: (fn: () => void, ms: number) => timers.push({ fn, ms }),
    clearTimeout: () => {},
    fire: () => timers.splice(0).forEach((t) => t.fn()),
  };
}

function learner(key: string, log: string[]) {
  const seen: { position: number; estimateMs: number }[] = [];
  const t: Ticket = {
    key,
    start: () => log.push(`start ${key}`),
    waiting: (position, estimateMs) => seen.push({ position, estimateMs }),
  };
  return { t, seen, last: () => seen.at(-1) };
}

/** A line with room for one run: a's runs, b and c wait in that order. */
function aRunningBAndCWaiting() {
  const log: string[] = [];
  const line = new AdmissionLine(manualClock());
  line.setCapacity(1);
  line.request(learner('a', log).t);
  const b = learner('b', log);
  const c = learner('c', log);
  line.request(b.t);
  line.request(c.t);
  return { log, line, b, c };
}

describe('the admission line in front of a full agent', () => {
  it('starts runs at once while the agent has room', () => {
    const log: string[] = [];
    const line = new AdmissionLine(manualClock());
    line.setCapacity(2);
    line.request(learner('a', log).t);
    line.request(learner('b', log).t);
    expect(log).toEqual(['start a', 'start b']);
    expect(line.running).toBe(2);
  });

  it('a run over capacity waits with its place and an estimate, and starts when a run ends', () => {
    const { log, line, b, c } = aRunningBAndCWaiting();
    expect(log).toEqual(['start a']);
    expect(b.last()).toEqual({ position: 1, estimateMs: ADMISSION.initialRunMs });
    expect(c.last()).toEqual({ position: 2, estimateMs: 2 * ADMISSION.initialRunMs });
    line.done('a', 3000);
    expect(log).toEqual(['start a', 'start b']);
    // c moved up; the estimate follows the runs seen (5000 → 5000 + 0.3 × (3000 − 5000) = 4400).
    expect(c.last()).toEqual({ position: 1, estimateMs: 4400 });
  });

  it('a waiting run that is stopped leaves the line; the others move up', () => {
    const { log, line } = aRunningBAndCWaiting();
    line.done('b');
    expect(line.isWaiting('b')).toBe(false);
    line.done('a');
    expect(log).toEqual(['start a', 'start c']);
  });

  it('"busy" from the agent (other clients hold it) puts the run first in line and tries again later', () => {
    const clock = manualClock();
    const log: string[] = [];
    const line = new AdmissionLine(clock);
    line.setCapacity(64);
    const a = learner('a', log);
    const b = learner('b', log);
    line.request(a.t);
    line.request(b.t);
    line.busy(b.t);
    expect(b.last()?.position).toBe(1);
    const c = learner('c', log);
    line.request(c.t);
    expect(log).toEqual(['start a', 'start b']); // c waits behind b
    expect(c.last()?.position).toBe(2);
    expect(clock.timers.map((t) => t.ms)).toEqual([ADMISSION.retryMs]);
    clock.fire();
    expect(log).toEqual(['start a', 'start b', 'start b', 'start c']);
  });
});
