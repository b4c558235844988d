import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CreateRoomResponse, JoinResponse, RoomServerMessageOf } from '@bpfplay/protocol';
import { fakeAgent, roomServer, type Client } from './roomServer';

const root = mkdtempSync(join(tmpdir(), 'bpfplay-rooms-web-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const code = { files: [{ name: 'hello.bpf.c', content: 'int x;' }] };
type Roster = RoomServerMessageOf<'roster'>;

async function setup(name: string, maxConcurrentRuns = 4) {
  const agent = await fakeAgent(maxConcurrentRuns);
  const srv = await roomServer(join(root, name), agent.url);
  const created = (await srv.post('/api/rooms', { name: 'Workshop', lesson: '01-hello-printk' }))
    .body as unknown as CreateRoomResponse;
  const id = created.room.id;
  const join_ = async (who: string) => {
    const r = await srv.post(`/api/rooms/${id}/join`, { code: created.joinCode.toLowerCase(), name: who });
    return r.body as unknown as JoinResponse;
  };
  const learnerSockets = (j: JoinResponse) => ({
    room: srv.socket(`/rooms/${id}/ws/learn?learner=${j.learnerId}&token=${j.learnerKey}`),
    agent: srv.socket(`/rooms/${id}/ws/agent?learner=${j.learnerId}&token=${j.learnerKey}`),
  });
  const teach = () => srv.socket(`/rooms/${id}/ws/teach?token=${created.instructorKey}`);
  return { agent, srv, created, id, join: join_, learnerSockets, teach };
}

const rosterWhere = (c: Client, pred: (r: Roster) => boolean, what: string) =>
  c.next<Roster>((m) => m.type === 'roster' && pred(m as unknown as Roster), what);

// A shared machine: a few of these take seconds under load.
vi.setConfig({ testTimeout: 30_000 });

describe('rooms: joining', () => {
  it('learners join with the code (any case) and a name; a wrong code, a taken name and a wrong key are refused', async () => {
    const t = await setup('join');
    const ada = await t.join('Ada');
    expect(ada.name).toBe('Ada');
    expect((await t.srv.post(`/api/rooms/${t.id}/join`, { code: 'WRONG', name: 'Bob' })).status).toBe(403);
    const taken = await t.srv.post(`/api/rooms/${t.id}/join`, { code: t.created.joinCode, name: 'ada' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatch(/already called "ada"/);
    const wrongKey = t.srv.socket(`/rooms/${t.id}/ws/agent?learner=${ada.learnerId}&token=${t.created.instructorKey}`);
    expect((await wrongKey.whenClosed()).code).toBe(4401);
    const wrongTeacher = t.srv.socket(`/rooms/${t.id}/ws/teach?token=${ada.learnerKey}`);
    expect((await wrongTeacher.whenClosed()).code).toBe(4401);
    await t.srv.close();
    await t.agent.close();
  });

  it('a room past its expiry takes no one in', async () => {
    const agent = await fakeAgent(4);
    let now = new Date('2026-12-05T08:00:00Z');
    const srv = await roomServer(join(root, 'expiry'), agent.url, () => now);
    const created = (await srv.post('/api/rooms', { name: 'short', expiresInHours: 1 }))
      .body as unknown as CreateRoomResponse;
    now = new Date('2026-12-05T09:00:01Z');
    const late = await srv.post(`/api/rooms/${created.room.id}/join`, { code: created.joinCode, name: 'Late' });
    expect(late.status).toBe(410);
    await srv.close();
    await agent.close();
  });
});

describe('rooms: the relay and the instructor', () => {
  it('opens one agent session per learner with the token and the learner named; the learner never holds the token', async () => {
    const t = await setup('relay');
    const ada = await t.join('Ada');
    const s = t.learnerSockets(ada);
    await s.agent.next((m) => m.type === 'hello', 'hello through the relay');
    const session = t.agent.sessions[0]!;
    expect(session.headers.authorization).toBe('Bearer agent-secret');
    expect(session.headers['x-bpfplay-client']).toBe(`${t.id}/${ada.learnerId}`);
    expect(JSON.stringify([ada, s.agent.messages, s.room.messages])).not.toContain('agent-secret');
    await t.srv.close();
    await t.agent.close();
  });

  it("a learner's failure shows on the roster with the agent's reason; a check that passes counts as passed", async () => {
    const t = await setup('roster');
    const teacher = t.teach();
    const ada = t.learnerSockets(await t.join('Ada'));
    await ada.agent.next((m) => m.type === 'hello', 'hello');
    ada.agent.send({ type: 'run', runId: 'r1', snippet: code });
    const session = await t.agent.got((m) => m.type === 'run');
    session.send({ type: 'status', runId: 'r1', state: 'compiling', t: 1 });
    session.send({
      type: 'verifier',
      runId: 'r1',
      program: 'handle',
      ok: false,
      log: '',
      truncated: false,
      failure: { reason: 'pointer may be NULL: check it before reading', message: 'R1 invalid mem access' },
    });
    const failed = await rosterWhere(
      teacher,
      (r) => r.learners[0]?.activity.state === 'failed',
      'failed on the roster',
    );
    expect(failed.learners[0]!.activity.reason).toBe('verifier: pointer may be NULL: check it before reading');
    expect(failed.counts).toMatchObject({ failed: 1, passed: 0 });

    ada.agent.send({ type: 'lesson-check', runId: 'c1', lesson: '01-hello-printk', snippet: code });
    await t.agent.got((m) => m.type === 'lesson-check');
    session.send({
      type: 'stopped',
      runId: 'r1',
      reason: 'verifier',
      message: 'refused',
      durationMs: 5,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    session.send({
      type: 'verdict',
      runId: 'c1',
      lesson: '01-hello-printk',
      passed: true,
      summary: 'Passed',
      expectations: [],
      planted: {},
      durationMs: 3,
    });
    const passed = await rosterWhere(teacher, (r) => r.counts.passed === 1, 'passed on the roster');
    expect(passed.learners[0]).toMatchObject({
      passed: ['01-hello-printk'],
      activity: { state: 'passed', lesson: '01-hello-printk' },
    });
    // The learner's page hears its progress from the room as well.
    await ada.room.next((m) => m.type === 'room' && (m.you as { passed: string[] }).passed.length === 1, 'progress');
    await t.srv.close();
    await t.agent.close();
  });

  it("push, hint, unlock and stop reach every learner; the instructor opens a learner's code", async () => {
    const t = await setup('push');
    const teacher = t.teach();
    const learners = await Promise.all(['A', 'B', 'C'].map(async (n) => t.learnerSockets(await t.join(n))));
    await Promise.all(learners.map((l) => l.room.next((m) => m.type === 'room', 'room')));
    teacher.send({ type: 'push-snippet', snippet: code, label: 'warm-up' });
    teacher.send({ type: 'hint', text: 'read the tracepoint format' });
    teacher.send({ type: 'unlock', unlocked: true });
    for (const l of learners) {
      await l.room.next((m) => m.type === 'push' && m.label === 'warm-up', 'the pushed snippet');
      await l.room.next((m) => m.type === 'hint' && m.text === 'read the tracepoint format', 'the hint');
      const room = await l.room.next<RoomServerMessageOf<'room'>>(
        (m) => m.type === 'room' && (m.settings as { solutionsUnlocked: boolean }).solutionsUnlocked,
        'unlocked',
      );
      expect(room.lesson?.solution?.length).toBeGreaterThan(0);
    }
    const b = learners[1]!;
    b.room.send({ type: 'code', snippet: code });
    const roster = await rosterWhere(teacher, (r) => r.learners.some((l) => l.hasCode), 'B has code');
    const bId = roster.learners.find((l) => l.name === 'B')!.id;
    teacher.send({ type: 'view', learner: bId });
    expect(await teacher.next((m) => m.type === 'learner-code', 'B code')).toMatchObject({ name: 'B', snippet: code });

    await b.agent.next((m) => m.type === 'hello', 'hello');
    b.agent.send({ type: 'run', runId: 'loop', snippet: code });
    await t.agent.got((m) => m.type === 'run');
    teacher.send({ type: 'stop', learner: bId });
    await t.agent.got((m) => m.type === 'stop' && m.runId === 'loop');
    await t.srv.close();
    await t.agent.close();
  });

  it("a Run over the agent's capacity waits with a place in line and an estimate, then runs; seq stays whole", async () => {
    const t = await setup('queue', 1);
    const [a, b] = await Promise.all(['A', 'B'].map(async (n) => t.learnerSockets(await t.join(n))));
    await a!.agent.next((m) => m.type === 'hello', 'hello');
    await b!.agent.next((m) => m.type === 'hello', 'hello');
    a!.agent.send({ type: 'run', runId: 'ra', snippet: code });
    const sa = await t.agent.got((m) => m.type === 'run' && m.runId === 'ra');
    b!.agent.send({ type: 'run', runId: 'rb', snippet: code });
    const queued = await b!.agent.next((m) => m.type === 'status' && m.state === 'queued', 'queued');
    expect(queued).toMatchObject({ runId: 'rb', queuePosition: 1 });
    expect(queued.message).toMatch(/the agent is full: you are 1st in line, about \d+ s/);
    expect(t.agent.sessions.some((s) => s.received.some((m) => m.type === 'run' && m.runId === 'rb'))).toBe(false);
    sa.send({
      type: 'stopped',
      runId: 'ra',
      reason: 'finished',
      message: 'done',
      durationMs: 900,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    const sb = await t.agent.got((m) => m.type === 'run' && m.runId === 'rb');
    sb.send({ type: 'status', runId: 'rb', state: 'compiling', t: 1 });
    await b!.agent.next((m) => m.type === 'status' && m.state === 'compiling', 'compiling after the wait');
    const seqs = b!.agent.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    await t.srv.close();
    await t.agent.close();
  });

  it('"busy" from an agent full of other clients\' runs puts the run in line instead of failing it', async () => {
    const t = await setup('busy', 8);
    const a = t.learnerSockets(await t.join('A'));
    await a.agent.next((m) => m.type === 'hello', 'hello');
    a.agent.send({ type: 'run', runId: 'r1', snippet: code });
    const s = await t.agent.got((m) => m.type === 'run');
    s.send({ type: 'error', code: 'busy', message: 'the agent is running 8 runs already', runId: 'r1' });
    await a.agent.next((m) => m.type === 'status' && m.state === 'queued', 'queued');
    expect(a.agent.messages.some((m) => m.type === 'error')).toBe(false);
    await t.srv.close();
    await t.agent.close();
  });
});

describe('rooms: ending and deleting', () => {
  it('the instructor ends the room: learners are let go in plain words, their runs end, nobody joins or comes back', async () => {
    const t = await setup('end');
    const teacher = t.teach();
    const ada = await t.join('Ada');
    const l = t.learnerSockets(ada);
    await l.room.next((m) => m.type === 'room', 'room');
    await l.agent.next((m) => m.type === 'hello', 'hello');
    l.agent.send({ type: 'run', runId: 'r1', snippet: code });
    const session = await t.agent.got((m) => m.type === 'run');
    teacher.send({ type: 'end' });
    const why = 'the instructor ended this room; your code stays in this browser';
    expect(await l.room.whenClosed()).toEqual({ code: 4410, reason: why });
    expect(await l.agent.whenClosed()).toEqual({ code: 4410, reason: why });
    // The agent session closed with the learner: the agent ends its runs.
    await t.agent.got((_m, s) => s === session && s.closed);
    await rosterWhere(teacher, (r) => r.room.expired, 'the roster says the room ended');
    const late = await t.srv.post(`/api/rooms/${t.id}/join`, { code: t.created.joinCode, name: 'Late' });
    expect(late.status).toBe(410);
    expect(late.body.error).toMatch(/^this room ended at /);
    expect((await t.learnerSockets(ada).room.whenClosed()).code).toBe(4410);
    // Nothing reaches learners any more; the instructor may still read their code.
    teacher.send({ type: 'hint', text: 'too late' });
    expect(await teacher.next((m) => m.type === 'error', 'a refusal')).toMatchObject({
      message: 'this room has ended: only viewing code and deleting the room are left',
    });
    await t.srv.close();
    await t.agent.close();
  });

  it('deleting the room removes it with its learners; everyone connected is told', async () => {
    const t = await setup('delete');
    const teacher = t.teach();
    const ada = await t.join('Ada');
    const l = t.learnerSockets(ada);
    await l.room.next((m) => m.type === 'room', 'room');
    await rosterWhere(teacher, (r) => r.learners.length === 1, 'Ada on the roster');
    teacher.send({ type: 'delete' });
    expect(await l.room.whenClosed()).toEqual({ code: 4404, reason: 'the instructor deleted this room' });
    expect((await teacher.whenClosed()).code).toBe(4404);
    expect(await t.srv.store.room(t.id)).toBeUndefined();
    expect(await t.srv.store.learners(t.id)).toEqual([]);
    expect((await fetch(`${t.srv.base}/api/rooms/${t.id}`)).status).toBe(404);
    expect((await t.teach().whenClosed()).code).toBe(4404);
    await t.srv.close();
    await t.agent.close();
  });

  it('a room whose expiry comes while learners are in it lets them go; rooms ended a week ago are deleted', async () => {
    const agent = await fakeAgent(4);
    const srv = await roomServer(join(root, 'expires'), agent.url);
    // One second from now: the hub's timer fires while Ada is connected.
    const created = (await srv.post('/api/rooms', { name: 'short', expiresInHours: 1 / 3600 }))
      .body as unknown as CreateRoomResponse;
    const ada = (await srv.post(`/api/rooms/${created.room.id}/join`, { code: created.joinCode, name: 'Ada' }))
      .body as unknown as JoinResponse;
    const channel = srv.socket(`/rooms/${created.room.id}/ws/learn?learner=${ada.learnerId}&token=${ada.learnerKey}`);
    await channel.next((m) => m.type === 'room', 'room');
    const closed = await channel.whenClosed();
    expect(closed.code).toBe(4410);
    expect(closed.reason).toMatch(/^this room ended at .*; your code stays in this browser$/);

    // Kept ROOM_LIMITS.keepEndedDays after it ended, then deleted with its learners.
    expect(await srv.hub.deleteOldRooms()).toEqual([]);
    await srv.store.updateRoom(created.room.id, { expiresAt: new Date(Date.now() - 8 * 86_400_000).toISOString() });
    expect(await srv.hub.deleteOldRooms()).toEqual([created.room.id]);
    expect(await srv.store.learners(created.room.id)).toEqual([]);
    await srv.close();
    await agent.close();
  });
});

describe('rooms: the nodes a room runs on', () => {
  it("places learners on the room's nodes; a new choice moves those elsewhere; unknown nodes are refused", async () => {
    const agent = await fakeAgent(4);
    const srv = await roomServer(join(root, 'nodes'), agent.url, undefined, ['lab-1', 'lab-2']);
    const unknown = await srv.post('/api/rooms', { name: 'x', nodes: ['lab-9'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('no node named "lab-9" (the node list shows the names: lab-1, lab-2)');
    const created = (await srv.post('/api/rooms', { name: 'lab two', nodes: ['lab-2'] }))
      .body as unknown as CreateRoomResponse;
    const id = created.room.id;
    const ada = (await srv.post(`/api/rooms/${id}/join`, { code: created.joinCode, name: 'Ada' }))
      .body as unknown as JoinResponse;
    const q = `learner=${ada.learnerId}&token=${ada.learnerKey}`;
    const channel = srv.socket(`/rooms/${id}/ws/learn?${q}`);
    const relayed = srv.socket(`/rooms/${id}/ws/agent?${q}`);
    await relayed.next((m) => m.type === 'hello', 'hello');
    expect(srv.picks).toEqual([['lab-2']]);
    expect(await channel.next((m) => m.type === 'room', 'room')).toMatchObject({ nodes: ['lab-2'] });
    const teacher = srv.socket(`/rooms/${id}/ws/teach?token=${created.instructorKey}`);
    await rosterWhere(teacher, (r) => r.learners[0]?.node === 'lab-2', 'Ada on lab-2');
    expect((await rosterWhere(teacher, () => true, 'roster')).knownNodes).toEqual(['lab-1', 'lab-2']);

    teacher.send({ type: 'set-nodes', nodes: ['lab-9'] });
    expect(await teacher.next((m) => m.type === 'error', 'refused')).toMatchObject({
      message: 'no node named "lab-9" (the node list shows the names: lab-1, lab-2)',
    });
    teacher.send({ type: 'set-nodes', nodes: ['lab-1'] });
    // Ada's session on lab-2 ends so that her page reconnects and is placed on lab-1.
    expect(await relayed.whenClosed()).toEqual({
      code: 1012,
      reason: 'the instructor moved this room to lab-1: reconnecting',
    });
    await channel.next((m) => m.type === 'room' && JSON.stringify(m.nodes) === '["lab-1"]', 'the new nodes');
    await srv.socket(`/rooms/${id}/ws/agent?${q}`).next((m) => m.type === 'hello', 'hello again');
    expect(srv.picks.at(-1)).toEqual(['lab-1']);
    expect((await srv.store.room(id))?.settings.nodes).toEqual(['lab-1']);
    await srv.close();
    await agent.close();
  });

  it('a web app with one agent refuses to scope a room to nodes', async () => {
    const t = await setup('one-agent');
    const r = await t.srv.post('/api/rooms', { name: 'x', nodes: ['lab-1'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^this web app has one agent: rooms choose nodes only with BPFPLAY_AGENTS_FILE/);
    await t.srv.close();
    await t.agent.close();
  });
});

describe('rooms: a restart loses nothing', () => {
  it('a new server on the same database has the room, its learners, their progress and code', async () => {
    const agent = await fakeAgent(4);
    const dataDir = join(root, 'restart');
    const first = await roomServer(dataDir, agent.url);
    const created = (await first.post('/api/rooms', { name: 'Persistent' })).body as unknown as CreateRoomResponse;
    const ada = (await first.post(`/api/rooms/${created.room.id}/join`, { code: created.joinCode, name: 'Ada' }))
      .body as unknown as JoinResponse;
    const room = first.socket(`/rooms/${created.room.id}/ws/learn?learner=${ada.learnerId}&token=${ada.learnerKey}`);
    room.send({ type: 'code', snippet: code });
    const teacher = first.socket(`/rooms/${created.room.id}/ws/teach?token=${created.instructorKey}`);
    await rosterWhere(teacher, (r) => r.learners[0]?.hasCode === true, 'code saved');
    await first.close();

    const second = await roomServer(dataDir, agent.url);
    const again = second.socket(`/rooms/${created.room.id}/ws/teach?token=${created.instructorKey}`);
    const roster = await again.next<Roster>((m) => m.type === 'roster', 'roster after restart');
    expect(roster.learners).toMatchObject([{ name: 'Ada', hasCode: true, activity: { state: 'editing' } }]);
    const back = second.socket(`/rooms/${created.room.id}/ws/learn?learner=${ada.learnerId}&token=${ada.learnerKey}`);
    await back.next((m) => m.type === 'room', 'the learner rejoins with the same key');
    await second.close();
    await agent.close();
  });
});
