import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/store/migrations.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SNIPPET_DB_FILE, SqliteStore } from '../src/store/sqlite.js';
import { freshSchema } from './fixtures/postgres.js';
import { one } from './fixtures/snippets.js';

const root = mkdtempSync(join(tmpdir(), 'bpfplay-rooms-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const code = { files: [{ name: 'hello.bpf.c', content: 'int x;' }] };

/** Where the rooms live: opening the same place again is a restart of the web app. */
interface Backend {
  open(place: string): Promise<SqliteStore | PostgresStore>;
  /** Every stored room and learner row, as text: what a leaked database would show. */
  dump(place: string): Promise<string>;
}

const sqlite: Backend = {
  open: async (place) => new SqliteStore({ dataDir: join(root, place) }),
  dump: async (place) => {
    const raw = new Database(join(root, place, SNIPPET_DB_FILE), { readonly: true });
    const dump = JSON.stringify([
      raw.prepare('SELECT * FROM rooms').all(),
      raw.prepare('SELECT * FROM room_learners').all(),
    ]);
    raw.close();
    return dump;
  },
};

// A real PostgreSQL (test/globalSetup.ts); a place is a schema of its own.
const schemas = new Map<string, Promise<string>>();
const pgUrlOf = (place: string) => {
  if (!schemas.has(place)) schemas.set(place, freshSchema(inject('pg')));
  return schemas.get(place)!;
};
const postgres: Backend = {
  open: async (place) => new PostgresStore({ connectionString: await pgUrlOf(place), pool: 'own' }),
  dump: async (place) => {
    const c = new pg.Client({ connectionString: await pgUrlOf(place) });
    await c.connect();
    try {
      return JSON.stringify([
        (await c.query('SELECT * FROM rooms')).rows,
        (await c.query('SELECT * FROM room_learners')).rows,
      ]);
    } finally {
      await c.end();
    }
  },
};

describe.each([
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
])('rooms in the snippet database (%s)', (_name, backend) => {
  it('a restart loses nothing: room, settings, pushed code, learners, activity, progress and last code', async () => {
    const before = await backend.open('restart');
    const { room, instructorKey } = await before.rooms.createRoom({
      name: 'eBPF 101',
      joinCode: 'bpf-rocks',
      expiresAt: '2030-01-01T00:00:00.000Z',
      lesson: '01-hello-printk',
      nodes: ['lab-1'],
    });
    await before.rooms.updateRoom(room.id, {
      nodes: ['lab-1', 'lab-2'],
      solutionsUnlocked: true,
      hint: 'look at bpf_printk',
      pushed: { snippet: code, label: "the instructor's snippet", at: '2026-12-05T08:00:00.000Z' },
    });
    const added = await before.rooms.addLearner(room.id, 'Ada');
    if (!added.ok) throw new Error('Ada could not join');
    const activity = {
      state: 'failed' as const,
      reason: 'verifier: invalid mem access',
      at: '2026-12-05T08:00:00.000Z',
    };
    await before.rooms.updateLearner(room.id, added.learner.id, {
      activity,
      passed: ['01-hello-printk'],
      code,
      codeAt: '2026-12-05T08:00:01.000Z',
    });
    await before.close();

    const after = await backend.open('restart');
    expect(await after.rooms.room(room.id)).toEqual({
      id: room.id,
      name: 'eBPF 101',
      joinCode: 'BPF-ROCKS',
      createdAt: room.createdAt,
      expiresAt: '2030-01-01T00:00:00.000Z',
      settings: {
        lesson: '01-hello-printk',
        solutionsUnlocked: true,
        hint: 'look at bpf_printk',
        nodes: ['lab-1', 'lab-2'],
      },
      pushed: { snippet: code, label: "the instructor's snippet", at: '2026-12-05T08:00:00.000Z' },
    });
    expect(await after.rooms.instructorKeyValid(room.id, instructorKey)).toBe(true);
    expect(await after.rooms.learnerKeyValid(room.id, added.learner.id, added.key)).toBe(true);
    expect(await after.rooms.learners(room.id)).toEqual([
      {
        roomId: room.id,
        id: added.learner.id,
        name: 'Ada',
        joinedAt: added.learner.joinedAt,
        activity,
        passed: ['01-hello-printk'],
        code,
        codeAt: '2026-12-05T08:00:01.000Z',
      },
    ]);
    await after.close();
  });

  it("keeps only hashes of secrets, and a wrong or another room's key is refused", async () => {
    const store = await backend.open('secrets');
    const a = await store.rooms.createRoom({ name: 'a', joinCode: 'AAAA' });
    const b = await store.rooms.createRoom({ name: 'b', joinCode: 'BBBB' });
    const learner = await store.rooms.addLearner(a.room.id, 'Grace');
    if (!learner.ok) throw new Error('Grace could not join');
    expect(await store.rooms.instructorKeyValid(a.room.id, b.instructorKey)).toBe(false);
    expect(await store.rooms.instructorKeyValid(a.room.id, '')).toBe(false);
    expect(await store.rooms.instructorKeyValid('nosuchroom', a.instructorKey)).toBe(false);
    expect(await store.rooms.learnerKeyValid(b.room.id, learner.learner.id, learner.key)).toBe(false);
    expect(await store.rooms.learnerKeyValid(a.room.id, learner.learner.id, a.instructorKey)).toBe(false);
    const dump = await backend.dump('secrets');
    expect(dump).not.toContain(a.instructorKey);
    expect(dump).not.toContain(learner.key);
    await store.close();
  });

  it('a display name is one learner per room, whatever its case; another room may reuse it', async () => {
    const store = await backend.open('names');
    const a = await store.rooms.createRoom({ name: 'a', joinCode: 'AAAA' });
    const b = await store.rooms.createRoom({ name: 'b', joinCode: 'BBBB' });
    expect((await store.rooms.addLearner(a.room.id, 'Linus')).ok).toBe(true);
    expect(await store.rooms.addLearner(a.room.id, 'linus')).toEqual({ ok: false, taken: true });
    expect((await store.rooms.addLearner(b.room.id, 'Linus')).ok).toBe(true);
    expect((await store.rooms.learners(a.room.id)).map((l) => l.name)).toEqual(['Linus']);
    await store.close();
  });

  it('ends a room, deletes one with its learners, and deletes rooms that ended before a date', async () => {
    const store = await backend.open('end');
    const open = await store.rooms.createRoom({ name: 'every node', joinCode: 'DDDD', nodes: ['lab-1'] });
    await store.rooms.updateRoom(open.room.id, { nodes: null });
    expect((await store.rooms.room(open.room.id))?.settings.nodes).toBeNull();
    const ended = await store.rooms.createRoom({ name: 'ended', joinCode: 'EEEE' });
    const gone = await store.rooms.createRoom({ name: 'deleted', joinCode: 'FFFF' });
    const later = await store.rooms.createRoom({ name: 'ends later', joinCode: 'GGGG' });
    for (const r of [ended, gone]) if (!(await store.rooms.addLearner(r.room.id, 'Ken')).ok) throw new Error('join');
    await store.rooms.updateRoom(ended.room.id, { expiresAt: '2026-12-01T00:00:00.000Z' });
    await store.rooms.updateRoom(later.room.id, { expiresAt: '2026-12-09T00:00:00.000Z' });
    expect((await store.rooms.room(ended.room.id))?.expiresAt).toBe('2026-12-01T00:00:00.000Z');

    expect(await store.rooms.deleteRoom(gone.room.id)).toBe(true);
    expect(await store.rooms.deleteRoom(gone.room.id)).toBe(false);
    expect(await store.rooms.room(gone.room.id)).toBeUndefined();
    expect(await store.rooms.learners(gone.room.id)).toEqual([]);

    expect(await store.rooms.deleteRoomsEndedBefore('2026-12-05T00:00:00.000Z')).toEqual([ended.room.id]);
    expect(await store.rooms.room(ended.room.id)).toBeUndefined();
    expect(await store.rooms.learners(ended.room.id)).toEqual([]);
    expect(await store.rooms.room(later.room.id)).toBeDefined();
    expect(await store.rooms.room(open.room.id)).toBeDefined();
    // Nothing of the deleted rooms' learners is left in the database.
    expect(await backend.dump('end')).not.toContain('Ken');
    await store.close();
  });

  it('a database that has only snippets gains rooms at their first use and keeps its snippets', async () => {
    const old = await backend.open('snippets-only');
    const { id } = await old.put(one());
    await old.close();
    const later = await backend.open('snippets-only');
    const { room } = await later.rooms.createRoom({ name: 'after upgrade', joinCode: 'CCCC' });
    expect((await later.rooms.room(room.id))?.name).toBe('after upgrade');
    expect((await later.get(id))?.snippet).toEqual(one());
    await later.close();
  });
});

describe('rooms in an SQLite file from before rooms', () => {
  it('a database made before rooms existed gains them and keeps its snippets', async () => {
    const dataDir = join(root, 'upgrade');
    const old = new SqliteStore({ dataDir });
    const { id } = await old.put(one());
    await old.close();
    // Back to schema 1, as a database written by the bpfplay before rooms.
    const db = new Database(join(dataDir, SNIPPET_DB_FILE));
    db.exec('DROP TABLE room_learners; DROP TABLE rooms;');
    db.pragma('user_version = 1');
    db.close();
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    const upgraded = new SqliteStore({ dataDir });
    expect((await upgraded.get(id))?.snippet).toEqual(one());
    const { room } = await upgraded.rooms.createRoom({ name: 'after upgrade', joinCode: 'CCCC' });
    expect((await upgraded.rooms.room(room.id))?.name).toBe('after upgrade');
    await upgraded.close();
  });
});
