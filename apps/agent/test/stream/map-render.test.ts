import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { looksLikeTimestamps } from '../../src/stream/maps.js';
import { REPO, useSharedAgent } from '../harness/agent-process.js';
import { connect } from '../harness/ws-client.js';

const now = 5_000e9; // 5000 s of uptime, in ns

describe('which integer maps are counters', () => {
  it('a map of bpf_ktime_get_ns() values is timestamps, not counters', () => {
    const stamps = [now - 1e6, now - 2e9, now - 30e9].map((v, i) => ({ key: i, value: v }));
    expect(looksLikeTimestamps(stamps, now)).toBe(true);
  });

  it('syscall counts, byte counts and an empty map are not', () => {
    expect(
      looksLikeTimestamps(
        [1, 952, 5024].map((v, i) => ({ key: i, value: v })),
        now,
      ),
    ).toBe(false);
    expect(
      looksLikeTimestamps(
        [
          { key: 80, value: 3e9 },
          { key: 443, value: 12 },
        ],
        now,
      ),
    ).toBe(false);
    expect(looksLikeTimestamps([], now)).toBe(false);
  });
});

describe('runqlat on this kernel', () => {
  const agent = useSharedAgent();

  it('sends `start` (thread → when it became runnable) as a table, `hists` as a histogram', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    const files = ['runqlat.bpf.c', 'runqlat.h'].map((f) => ({
      name: f,
      content: readFileSync(join(REPO, 'bpf/runqlat', f), 'utf8'),
    }));
    c.send({ type: 'run', runId: 'rq', snippet: { files }, options: { durationSec: 30, mapIntervalMs: 200 } });
    await c.waitFor((m) => m.type === 'status' && m.state === 'running', 60_000);
    c.send({ type: 'trigger', example: 'runqlat' });
    const snap = (await c.waitFor(
      (m: ServerMessage) => m.type === 'maps' && m.maps.some((x) => x.name === 'start' && x.entries.length > 0),
      30_000,
    )) as ServerMessageOf<'maps'>;
    const start = snap.maps.find((x) => x.name === 'start')!;
    expect(start.render).toBe('table');
    expect(start.valueType).toMatch(/timestamps/);
    expect(snap.maps.find((x) => x.name === 'hists')?.render).toBe('log2-hist');
    c.send({ type: 'stop', runId: 'rq' });
    await c.waitFor((m) => m.type === 'stopped');
    // Every later snapshot keeps it a table, even one where the map is momentarily empty.
    const later = c.messages.filter((m): m is ServerMessageOf<'maps'> => m.type === 'maps' && m.seq > snap.seq);
    for (const m of later) expect(m.maps.find((x) => x.name === 'start')?.render).toBe('table');
    c.close();
  });
});
