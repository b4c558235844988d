import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { AgentInfo } from '@bpfplay/protocol';
import { NodeRegistry, type AgentEndpoint } from '@bpfplay/nodes';
import { SqliteStore } from '@bpfplay/share/server';
import { nodeRunUpgrades } from '../server/nodeRuns';
import { hello } from './fixtures';
import { Client, fakeAgent, type FakeAgentSession } from './roomServer';

/**
 * The browser's run on one node or on all, relayed by the web server (server/nodeRuns.ts) to
 * three stand-in agents the test drives frame by frame; real agents in three network namespaces
 * behind fanOutRun are packages/nodes/test/netns.test.ts.
 */
const root = mkdtempSync(join(tmpdir(), 'bpfplay-node-runs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
vi.setConfig({ testTimeout: 30_000 });

const code = { files: [{ name: 'hello.bpf.c', content: 'int x;' }] };
type Msg = Record<string, unknown>;

/** What a stand-in agent answers to a run: compiled (with an object when asked), one printk line, stopped. */
function answerRun(s: FakeAgentSession, runId: string, text: string, stop = true) {
  const returnObject = s.received.some((m) => m.type === 'run' && m.options?.returnObject);
  s.send({
    type: 'compiled',
    runId,
    ok: true,
    diagnostics: [],
    cache: 'cold',
    output: '',
    durationMs: 1,
    ...(returnObject ? { object: 'AAAA' } : {}),
  });
  s.send({ type: 'printk', runId, target: 'host', lines: [{ t: 1, cpu: 0, text }], dropped: 0 });
  if (stop)
    s.send({
      type: 'stopped',
      runId,
      reason: 'finished',
      message: 'done',
      durationMs: 5,
      stats: { events: 0, printk: 1, dropped: 0 },
    });
}

async function setup(name: string) {
  const agents = await Promise.all([1, 2, 3].map(() => fakeAgent(4, { prebuiltObjects: true })));
  const eps: AgentEndpoint[] = agents.map((a, i) => ({ name: `lab-${i + 1}`, url: a.url, token: `secret-${i + 1}` }));
  const {
    seq: _s,
    session: _session,
    ...info
  } = { ...hello, capabilities: { ...hello.capabilities, prebuiltObjects: true } };
  const down = new Set<string>();
  const registry = new NodeRegistry({
    sources: [() => eps],
    fetchInfo: async (ep) => {
      if (down.has(ep.name)) throw new Error('connect ECONNREFUSED');
      return info as unknown as AgentInfo;
    },
  });
  await registry.refresh();
  const store = new SqliteStore({ dataDir: join(root, name) });
  const { room, instructorKey } = await store.rooms.createRoom({ name: 'probe', joinCode: 'NODE' });
  const ada = await store.rooms.addLearner(room.id, 'Ada');
  if (!ada.ok) throw new Error('Ada could not join');
  const upgrade = nodeRunUpgrades(store.rooms, registry);
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => upgrade(req, socket, head) || socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/rooms/${room.id}/ws/nodes`;
  const clients: Client[] = [];
  const open = (query: string) => {
    const c = new Client(`${base}?${query}`);
    clients.push(c);
    return c;
  };
  return {
    agents,
    registry,
    down,
    learner: (node: string) => open(`node=${encodeURIComponent(node)}&learner=${ada.learner.id}&token=${ada.key}`),
    instructor: (node: string) => open(`node=${encodeURIComponent(node)}&token=${instructorKey}`),
    open,
    ada,
    rooms: store.rooms,
    roomId: room.id,
    close: async () => {
      await Promise.all(clients.map((c) => (c.ws.terminate(), c.whenClosed())));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
      await Promise.all(agents.map((a) => a.close()));
    },
  };
}

const lastStopped = (c: Client) =>
  c.next<Msg & { nodes: { node: string; reason: string }[] }>(
    (m) => m.type === 'stopped' && m.node === undefined,
    'the run’s stopped',
  );

describe('runs from the browser on the nodes, relayed', () => {
  it('on all nodes: compiled once, every record labelled with its node, every outcome listed; tokens stay on the server', async () => {
    const t = await setup('all');
    const c = t.learner('*');
    c.send({ type: 'run', runId: 'r1', snippet: code, options: { durationSec: 2 } });
    const compiler = await Promise.race(
      t.agents.map((a) => a.got((m) => m.type === 'run' && m.options?.returnObject === true)),
    );
    answerRun(compiler, 'r1', 'hello from the compiler');
    for (const a of t.agents) {
      const s = await a.got((m) => m.type === 'run');
      if (s !== compiler) {
        expect(s.received.find((m) => m.type === 'run')).toMatchObject({ object: 'AAAA' });
        answerRun(s, 'r1', 'hello from a shipped object');
      }
    }
    const stopped = await lastStopped(c);
    expect(stopped.nodes.map((n) => [n.node, n.reason]).sort()).toEqual([
      ['lab-1', 'finished'],
      ['lab-2', 'finished'],
      ['lab-3', 'finished'],
    ]);
    const printkNodes = c.messages.filter((m) => m.type === 'printk').map((m) => m.node);
    expect([...printkNodes].sort()).toEqual(['lab-1', 'lab-2', 'lab-3']);
    // Each agent saw the relay's token and the learner as the client, never the browser.
    for (const [i, a] of t.agents.entries()) {
      expect(a.sessions[0]!.headers.authorization).toBe(`Bearer secret-${i + 1}`);
      expect(a.sessions[0]!.headers['x-bpfplay-client']).toBe(`${t.ada.learner.roomId}/${t.ada.learner.id}`);
    }
    expect(JSON.stringify(c.messages)).not.toMatch(/secret-\d|127\.0\.0\.1/);
    // One seq for the whole socket.
    expect(c.messages.map((m) => m.seq)).toEqual(c.messages.map((_m, i) => i));
    await t.close();
  });

  it('on one node: only that node runs', async () => {
    const t = await setup('one');
    const c = t.instructor('lab-2');
    c.send({ type: 'run', runId: 'r2', snippet: code });
    answerRun(await t.agents[1]!.got((m) => m.type === 'run'), 'r2', 'only me');
    const stopped = await lastStopped(c);
    expect(stopped.nodes.map((n) => n.node)).toEqual(['lab-2']);
    expect(t.agents[0]!.sessions.length + t.agents[2]!.sessions.length).toBe(0);
    await t.close();
  });

  it('a node lost mid-run ends alone with its reason; the others go on and finish', async () => {
    const t = await setup('lost');
    const c = t.learner('*');
    c.send({ type: 'run', runId: 'r3', snippet: code });
    const compiler = await Promise.race(
      t.agents.map((a) => a.got((m) => m.type === 'run' && m.options?.returnObject === true)),
    );
    answerRun(compiler, 'r3', 'compiled here', false);
    const others = t.agents.filter((a) => a.sessions[0] !== compiler);
    for (const a of others) await a.got((m) => m.type === 'run');
    // The second node goes away while running; the first and the compiler keep streaming.
    others[1]!.kill();
    const lostFrame = await c.next(
      (m) => m.type === 'stopped' && m.node !== undefined && m.reason === 'disconnect',
      'the lost node',
    );
    answerRun(others[0]!.sessions[0]!, 'r3', 'still here');
    compiler.send({
      type: 'stopped',
      runId: 'r3',
      reason: 'finished',
      message: 'done',
      durationMs: 5,
      stats: { events: 0, printk: 1, dropped: 0 },
    });
    const stopped = await lastStopped(c);
    expect(stopped.nodes.filter((n) => n.reason === 'finished')).toHaveLength(2);
    expect(stopped.nodes.find((n) => n.node === lostFrame.node)?.reason).toBe('disconnect');
    expect(
      c.messages.some((m) => m.type === 'printk' && (m.lines as { text: string }[])[0]!.text === 'still here'),
    ).toBe(true);
    await t.close();
  });

  it('refuses a wrong key, a node that does not exist, and a run when no node is up', async () => {
    const t = await setup('refusals');
    expect((await t.open(`node=*&learner=${t.ada.learner.id}&token=wrong`).whenClosed()).code).toBe(4401);
    const c = t.learner('lab-9');
    c.send({ type: 'run', runId: 'r4', snippet: code });
    expect(await c.next((m) => m.type === 'error', 'an error')).toMatchObject({
      code: 'not-found',
      runId: 'r4',
      message: 'no node named "lab-9" (the node list shows the names)',
    });
    for (const n of ['lab-1', 'lab-2', 'lab-3']) t.down.add(n);
    await t.registry.refresh();
    const d = t.learner('*');
    d.send({ type: 'run', runId: 'r5', snippet: code });
    expect(await d.next((m) => m.type === 'error', 'an error')).toMatchObject({
      code: 'not-found',
      message: 'no node is up right now: the node list says why',
    });
    await t.close();
  });

  it("a room scoped to some nodes: a learner's run elsewhere is refused in words, all means the room's nodes", async () => {
    const t = await setup('scoped');
    await t.rooms.updateRoom(t.roomId, { nodes: ['lab-1'] });
    const elsewhere = t.learner('lab-2');
    elsewhere.send({ type: 'run', runId: 's1', snippet: code });
    expect(await elsewhere.next((m) => m.type === 'error', 'a refusal')).toMatchObject({
      code: 'not-found',
      runId: 's1',
      message: 'node "lab-2" does not serve this room: its instructor chose lab-1',
    });
    expect(t.agents[1]!.sessions.length).toBe(0);

    const all = t.learner('*');
    all.send({ type: 'run', runId: 's2', snippet: code });
    const s1 = await t.agents[0]!.got((m) => m.type === 'run' && m.runId === 's2');
    answerRun(s1, 's2', 'only here');
    expect((await lastStopped(all)).nodes.map((n) => n.node)).toEqual(['lab-1']);
    for (const i of [1, 2]) expect(t.agents[i]!.sessions.length).toBe(0);

    // The instructor's key is not scoped: they choose the nodes, so they may probe the others.
    const teacher = t.instructor('lab-2');
    teacher.send({ type: 'run', runId: 's3', snippet: code });
    answerRun(await t.agents[1]!.got((m) => m.type === 'run' && m.runId === 's3'), 's3', 'probe');
    await lastStopped(teacher);

    // A new choice holds from the next run on, on the same socket.
    await t.rooms.updateRoom(t.roomId, { nodes: ['lab-2'] });
    elsewhere.send({ type: 'run', runId: 's4', snippet: code });
    answerRun(await t.agents[1]!.got((m) => m.type === 'run' && m.runId === 's4'), 's4', 'now allowed');
    await lastStopped(elsewhere);
    t.down.add('lab-2');
    await t.registry.refresh();
    all.send({ type: 'run', runId: 's5', snippet: code });
    expect(await all.next((m) => m.type === 'error' && m.runId === 's5', 'a refusal')).toMatchObject({
      message: "none of this room's nodes (lab-2) is up right now: the node list says why",
    });
    await t.close();
  });
});
