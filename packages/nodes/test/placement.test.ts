import { describe, expect, it } from 'vitest';
import { sampleAgentInfo } from '@bpfplay/protocol/testing';
import { NodeRegistry, Placement, type AgentEndpoint } from '../src';

const ep = (name: string): AgentEndpoint => ({
  name,
  url: `ws://127.0.0.1:${name.length}${name.charCodeAt(0)}/ws`,
  token: name,
});

function registry(state: Record<string, { runs: number; up: boolean }>) {
  return new NodeRegistry({
    sources: [() => Object.keys(state).map(ep)],
    fetchInfo: async (e) => {
      if (!state[e.name]!.up) throw new Error('down');
      return sampleAgentInfo({
        agent: { hostname: e.name },
        limits: { maxConcurrentRuns: 4 },
        load: { runs: state[e.name]!.runs, sessions: 0, loadAvg1: 0 },
      });
    },
  });
}

describe('placing learners on nodes', () => {
  it('puts a new learner on the least loaded node, keeps them there, and moves them only when it goes down', async () => {
    const state = { a: { runs: 3, up: true }, b: { runs: 0, up: true } };
    const reg = registry(state);
    await reg.refresh();
    const made: string[] = [];
    const place = new Placement(reg, (e) => {
      made.push(e.name);
      return { node: e.name };
    });
    expect(place.pick('ann')?.node).toBe('b');
    state.b.runs = 4;
    await reg.refresh();
    expect(place.pick('ann')?.node).toBe('b'); // still hers while b is up
    expect(place.pick('bob')?.node).toBe('a'); // a newcomer goes where there is room
    state.b.up = false;
    await reg.refresh();
    expect(place.pick('ann')?.node).toBe('a');
    expect(made).toEqual(['b', 'a']); // one handle per node, shared by its learners
    expect(place.all().map((h) => h.node)).toEqual(['a']);
    state.a.up = false;
    await reg.refresh();
    expect(place.pick('cat')).toBeUndefined();
  });

  it('a room scoped to some nodes places its learners only there, and moves one who sat elsewhere', async () => {
    const state = { a: { runs: 0, up: true }, b: { runs: 3, up: true }, c: { runs: 1, up: true } };
    const reg = registry(state);
    await reg.refresh();
    const place = new Placement(reg, (e) => ({ node: e.name }));
    expect(place.pick('ann')?.node).toBe('a');
    expect(place.pick('ann', ['b', 'c'])?.node).toBe('c'); // the least loaded of the room's nodes
    expect(place.pick('ann', ['b', 'c'])?.node).toBe('c');
    expect(place.pick('bob', ['b'])?.node).toBe('b');
    state.b.up = false;
    await reg.refresh();
    expect(place.pick('bob', ['b'])).toBeUndefined(); // none of the room's nodes is up
    expect(place.pick('bob', null)?.node).toBe('a'); // a room without a choice: any node
  });
});
