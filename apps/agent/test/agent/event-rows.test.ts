import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { uniqueName } from '../harness/kernel.js';
import { connect } from '../harness/ws-client.js';
import { execProbe } from './programs.js';

const agent = useSharedAgent();

/** Run the exec probe with `options`, exec a few processes, and return its events frames. */
async function eventsOf(options: Record<string, unknown>): Promise<ServerMessageOf<'events'>[]> {
  const c = connect(agent.wsUrl, { token: agent.token });
  try {
    c.send({
      type: 'run',
      runId: 'r',
      snippet: { files: [{ name: 'p.bpf.c', content: execProbe(uniqueName('t_rows')) }] },
      options: { durationSec: 30, ...options },
    });
    await c.waitFor((m) => m.type === 'status' && m.state === 'running');
    for (let i = 0; i < 3; i++) execFileSync('/bin/true');
    await c.waitFor((m) => m.type === 'events' && (m.records.length > 0 || (m.rows?.length ?? 0) > 0));
    c.send({ type: 'stop', runId: 'r' });
    await c.waitFor((m) => m.type === 'stopped');
    return c.messages.filter((m): m is ServerMessageOf<'events'> => m.type === 'events');
  } finally {
    c.close();
  }
}

describe('compact events (RunOptions.eventRows)', () => {
  it('a client that asks gets rows of values under named columns, every frame parsing against the protocol', async () => {
    const frames = await eventsOf({ eventRows: true });
    const rows = frames.flatMap((f) => f.rows ?? []);
    expect(frames.every((f) => f.records.length === 0 && typeof f.t === 'number')).toBe(true);
    expect(frames[0]!.columns).toEqual(['pid', 'comm']);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => typeof r[0] === 'number' && typeof r[1] === 'string' && r[1] !== '')).toBe(true);
  });

  it('a client that does not ask keeps getting record objects', async () => {
    const frames = await eventsOf({});
    expect(frames.every((f) => f.rows === undefined && f.columns === undefined)).toBe(true);
    expect(frames.flatMap((f) => f.records)[0]).toMatchObject({
      value: { pid: expect.any(Number), comm: expect.any(String) },
    });
  });
});
