import { describe, expect, it } from 'vitest';
import { learnerStatus } from '../src/rooms/learnerStatus';
import { newRun, runReducer, type RunFrame } from '../src/state/run';
import type { ConnectionState } from '../src/state/socket/connectionState';

/** A room learner's status line: every refusal and every ending of the room in plain words. */
const ready = { kind: 'idle' } as ConnectionState;
const open = { kind: 'open' } as const;
const run = (...frames: Partial<RunFrame>[]) =>
  frames.reduce((r, f, i) => runReducer(r, { runId: 'r', seq: i, ...f } as RunFrame, 1000), newRun('r', 0, 30, 'run'));

describe('the learner status line', () => {
  it('says why the room let the learner go, in its own words, without "join again" wording', () => {
    const why = 'the instructor ended this room; your code stays in this browser';
    expect(learnerStatus(ready, { kind: 'refused', why, over: true }, null, 0).text).toBe(why);
    expect(learnerStatus(ready, { kind: 'refused', why: 'wrong key', over: false }, null, 0).text).toBe(
      'the room refused this browser: wrong key',
    );
  });

  it('shows the place in line while waiting, and a refused run with the reason once it is over', () => {
    const waiting = run({
      type: 'status',
      state: 'queued',
      t: 0,
      queuePosition: 2,
      message: 'the agent is full: you are 2nd in line, about 10 s',
    });
    expect(learnerStatus(ready, open, waiting, 0).run).toBe(
      'waiting: the agent is full: you are 2nd in line, about 10 s',
    );
    const refused = run({ type: 'error', code: 'quota', message: 'run time quota used up for this hour' });
    expect(learnerStatus(ready, open, refused, 0).run).toBe(
      'stopped: the agent said quota: run time quota used up for this hour',
    );
    const lost = run({
      type: 'stopped',
      reason: 'runner-crash',
      message: 'the runner process died',
      durationMs: 5,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    expect(learnerStatus(ready, open, lost, 0).run).toBe('stopped: the runner process died');
    const done = run({
      type: 'stopped',
      reason: 'timeout',
      message: 'ran 30 s',
      durationMs: 30_000,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    expect(learnerStatus(ready, open, done, 0).run).toBe('');
  });
});
