import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { applyNodeFrame, newNodeRun } from '../src/state/nodeRun';
import { credentialFromHash } from '../src/components/NodeRunPanel';

const f = (m: object) => m as ServerMessage;
const stats = { events: 0, printk: 1, dropped: 0 };

describe('a run on several nodes, as the page shows it', () => {
  it('keeps each node’s state, counts and errors side by side, and every record labelled with its node', () => {
    let v = newNodeRun('r1');
    for (const m of [
      { type: 'status', seq: 0, runId: 'r1', node: 'lab-1', state: 'running', t: 5 },
      {
        type: 'printk',
        seq: 1,
        runId: 'r1',
        node: 'lab-1',
        target: 'host',
        lines: [{ t: 3, cpu: 0, text: 'hi' }],
        dropped: 0,
      },
      {
        type: 'events',
        seq: 2,
        runId: 'r1',
        node: 'lab-2',
        target: 'host',
        source: 'rb',
        records: [{ t: 4, value: { pid: 7 } }],
        dropped: 0,
      },
      {
        type: 'printk',
        seq: 3,
        runId: 'other',
        node: 'lab-1',
        lines: [{ t: 1, cpu: 0, text: 'not ours' }],
        dropped: 0,
      },
      {
        type: 'stopped',
        seq: 4,
        runId: 'r1',
        node: 'lab-2',
        reason: 'disconnect',
        message: 'lost lab-2',
        durationMs: 9,
        stats,
      },
      {
        type: 'stopped',
        seq: 5,
        runId: 'r1',
        node: 'lab-1',
        reason: 'finished',
        message: 'done',
        durationMs: 9,
        stats,
      },
      {
        type: 'stopped',
        seq: 6,
        runId: 'r1',
        reason: 'error',
        message: '1 of 2 nodes ran: lab-1 finished, lab-2 disconnect',
        durationMs: 9,
        stats,
      },
    ])
      v = applyNodeFrame(v, f(m));
    expect(v.records).toEqual([
      { node: 'lab-1', t: 3, kind: 'printk', text: 'hi' },
      { node: 'lab-2', t: 4, kind: 'event', text: '{"pid":7}' },
    ]);
    expect(v.nodes['lab-1']).toMatchObject({ state: 'finished', printk: 1, events: 0 });
    expect(v.nodes['lab-1']!.error).toBeUndefined();
    expect(v.nodes['lab-2']).toMatchObject({ state: 'disconnect', events: 1, error: 'lost lab-2' });
    expect(v).toMatchObject({ done: true, summary: '1 of 2 nodes ran: lab-1 finished, lab-2 disconnect' });
  });

  it('shows a refusal of the whole run (no node up)', () => {
    const v = applyNodeFrame(
      newNodeRun('r2'),
      f({
        type: 'error',
        seq: 0,
        runId: 'r2',
        code: 'not-found',
        message: 'no node is up right now: the node list says why',
      }),
    );
    expect(v).toMatchObject({ done: true, error: 'no node is up right now: the node list says why' });
  });

  it('takes the room credential from the fragment only', () => {
    expect(credentialFromHash('#room=abc&token=k1&learner=l1')).toEqual({ room: 'abc', token: 'k1', learner: 'l1' });
    expect(credentialFromHash('#room=abc&token=k2')).toEqual({ room: 'abc', token: 'k2' });
    expect(credentialFromHash('')).toBeUndefined();
  });
});
