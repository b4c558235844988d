import { describe, expect, it } from 'vitest';
import { AgentStore } from '../src/state/agentStore';
import { eventsFrame } from './fixtures';
import { batchesOf } from './rows';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => queue.push(fn),
    flush: () => queue.splice(0).forEach((f) => f()),
    get pending() {
      return queue.length;
    },
  };
}

describe('the agent store', () => {
  it('tells listeners once per animation frame however many frames arrived', () => {
    const frames = manualFrames();
    const s = new AgentStore(frames.schedule, () => 0);
    const run = s.startRun({ files: [{ name: 'a.bpf.c', content: '' }] }, { durationSec: 5 });
    if (run.type !== 'run') throw new Error('expected a run message');
    let calls = 0;
    s.subscribe(() => calls++);
    frames.flush();
    for (let i = 0; i < 100; i++) for (const b of batchesOf([eventsFrame(run.runId, 10, i)])) s.rows(b);
    expect(frames.pending).toBe(1);
    frames.flush();
    expect(calls).toBe(2);
    expect(s.streams.eventsReceived).toBe(1000);
  });

  it('streamed frames after the first do not change the coarse version (the page around the panes stays put)', () => {
    const frames = manualFrames();
    const s = new AgentStore(frames.schedule, () => 0);
    const run = s.startRun({ files: [{ name: 'a.bpf.c', content: '' }] }, {});
    if (run.type !== 'run') throw new Error('expected a run message');
    frames.flush();
    const coarse0 = s.getCoarseVersion();
    for (const b of batchesOf([eventsFrame(run.runId, 5, 1)])) s.rows(b);
    frames.flush();
    const coarse1 = s.getCoarseVersion();
    expect(coarse1).toBe(coarse0 + 1); // first records: the page may switch to the Events pane
    const fine = s.getVersion();
    for (let i = 2; i < 50; i++) for (const b of batchesOf([eventsFrame(run.runId, 5, i)])) s.rows(b);
    frames.flush();
    expect(s.getCoarseVersion()).toBe(coarse1);
    expect(s.getVersion()).toBe(fine + 1);
    s.handle({ type: 'status', seq: 60, runId: run.runId, state: 'stopping', t: 5 });
    frames.flush();
    expect(s.getCoarseVersion()).toBe(coarse1 + 1);
  });

  it('drops output of an older run', () => {
    const frames = manualFrames();
    const s = new AgentStore(frames.schedule, () => 0);
    s.startRun({ files: [{ name: 'a.bpf.c', content: '' }] }, {});
    for (const b of batchesOf([eventsFrame('stale-run', 3, 1)])) s.rows(b);
    expect(s.streams.eventsReceived).toBe(0);
  });

  it('a lost connection ends the active run locally and says why', () => {
    const s = new AgentStore(
      () => {},
      () => 7,
    );
    s.startRun({ files: [{ name: 'a.bpf.c', content: '' }] }, {});
    s.setConnection({
      kind: 'retrying',
      url: 'ws://x',
      attempt: 0,
      delayMs: 100,
      retryAt: 100,
      lastClose: { code: 1006, reason: '', neverOpened: false },
    });
    expect(s.run?.state).toBe('stopped');
    expect(s.notes.at(-1)?.text).toMatch(/connection to the agent was lost/);
    expect(s.stopMessage()).toBeNull();
  });
});
