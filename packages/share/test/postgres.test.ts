import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createShareApi } from '../src/api.js';
import { closeShareApi, getRoomStore, getShareApi, openSnippetStore } from '../src/defaultApi.js';
import { snippetHash } from '../src/id.js';
import { databaseConfig, redactDatabaseUrl } from '../src/store/config.js';
import { closeSharedPgPools } from '../src/store/pgPool.js';
import { SNIPPET_PG_MIGRATIONS } from '../src/store/pgMigrations.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { numbered, one } from './fixtures/snippets.js';
import { freshSchema, pgUrl } from './fixtures/postgres.js';

const cluster = inject('pg'); // test/globalSetup.ts
const tmp = mkdtempSync(join(tmpdir(), 'bpfplay-pgconf-'));
afterAll(async () => {
  await closeShareApi();
  await closeSharedPgPools();
  rmSync(tmp, { recursive: true, force: true });
});

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

describe('choosing the store', () => {
  it('is SQLite in the data folder unless a database URL is configured', () => {
    expect(databaseConfig({ BPFPLAY_DATA_DIR: '/srv/bpfplay' })).toEqual({ kind: 'sqlite', dataDir: '/srv/bpfplay' });
    expect(databaseConfig({ BPFPLAY_DATABASE_URL: 'postgres://web@db:5432/bpfplay' })).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://web@db:5432/bpfplay',
      redacted: 'postgres://web@db:5432/bpfplay',
    });
  });

  it('reads the URL from a Secret file before the variable, and never repeats a password in messages', async () => {
    const file = join(tmp, 'database-url');
    writeFileSync(file, 'postgresql://web:s3cret@db/bpfplay\n', { mode: 0o600 });
    const c = databaseConfig({ BPFPLAY_DATABASE_URL_FILE: file, BPFPLAY_DATABASE_URL: 'postgres://other@x/y' });
    expect(c).toMatchObject({ kind: 'postgres', connectionString: 'postgresql://web:s3cret@db/bpfplay' });
    expect(c.kind === 'postgres' && c.redacted).toBe('postgresql://web:***@db/bpfplay');
    expect(redactDatabaseUrl('postgres://u@h/d?password=s3cret&sslmode=require')).toBe(
      'postgres://u@h/d?password=***&sslmode=require',
    );
    expect(() => databaseConfig({ BPFPLAY_DATABASE_URL: 'mysql://web:s3cret@db/x' })).toThrow(
      /^BPFPLAY_DATABASE_URL: the database URL must start with postgres:\/\/ or postgresql:\/\/ \(got mysql:\)/,
    );
    expect(() => databaseConfig({ BPFPLAY_DATABASE_URL_FILE: join(tmp, 'missing') })).toThrow(
      /cannot read the database URL \(ENOENT\); mount the Secret there or unset the variable to use SQLite/,
    );
    const sqlite = openSnippetStore({ BPFPLAY_DATA_DIR: join(tmp, 'data') });
    expect(sqlite).toBeInstanceOf(SqliteStore);
    await sqlite.close();
    const pgStore = openSnippetStore({ BPFPLAY_DATABASE_URL: pgUrl(cluster) });
    expect(pgStore).toBeInstanceOf(PostgresStore);
    await pgStore.close();
  });
});

describe('PostgresStore against a real PostgreSQL', () => {
  it('two web replicas (each its own API and pool) see each other’s snippets and rooms', async () => {
    const url = await freshSchema(cluster);
    const file = join(tmp, 'replica-url');
    writeFileSync(file, url, { mode: 0o600 });
    // Replica A: the web app's own entry point, configured by the Secret file.
    const a = getShareApi({ BPFPLAY_DATABASE_URL_FILE: file });
    // Replica B: another process's store on the same database.
    const bStore = new PostgresStore({ connectionString: url, pool: 'own' });
    const b = createShareApi({ store: bStore });
    const made = await a.handleCreate(JSON.stringify(one()), 'k');
    expect(made.status).toBe(201);
    const id = (made.json as { id: string }).id;
    expect(await b.handleGet(id)).toMatchObject({ status: 200, json: { id, files: one().files } });
    expect((await b.handleCreate(JSON.stringify(one()), 'k')).json).toMatchObject({ id, created: false });
    // Rooms too: a learner joining through replica B is on the roster replica A shows.
    const roomsA = getRoomStore({ BPFPLAY_DATABASE_URL_FILE: file });
    const { room } = await roomsA.createRoom({ name: 'workshop', joinCode: 'WXYZ' });
    expect((await bStore.rooms.addLearner(room.id, 'Ada')).ok).toBe(true);
    expect((await roomsA.learners(room.id)).map((l) => l.name)).toEqual(['Ada']);
    await bStore.close();
  });

  it('ten replicas starting on an empty database at once migrate it exactly once', async () => {
    const url = await freshSchema(cluster);
    const stores = Array.from({ length: 10 }, () => new PostgresStore({ connectionString: url, pool: 'own' }));
    expect(await Promise.all(stores.map((s) => s.count()))).toEqual(Array(10).fill(0));
    expect(await sql(url, 'SELECT component, version FROM bpfplay_schema')).toEqual([
      { component: 'snippets', version: SNIPPET_PG_MIGRATIONS.length },
    ]);
    await Promise.all(stores.map((s) => s.close()));
  }, 30_000);

  it('ten replicas writing at once lose nothing: distinct snippets all stored, identical ones stored once', async () => {
    const url = await freshSchema(cluster);
    const REPLICAS = 10;
    const EACH = 10;
    const SHARED = 10;
    const stores = Array.from({ length: REPLICAS }, () => new PostgresStore({ connectionString: url, pool: 'own' }));
    await Promise.all(stores.map((s) => s.count())); // connected and migrated: the puts below race each other only
    const t = Date.now();
    const results = await Promise.all(
      stores.map(async (s, w) => {
        const out = [];
        for (let k = 0; k < EACH + SHARED; k++) out.push(await s.put(k % 2 ? numbered(w + 1, k) : numbered(0, k)));
        return out;
      }),
    );
    console.log(`${REPLICAS} pools × ${EACH + SHARED} puts into one PostgreSQL database: ${Date.now() - t} ms`);
    const created = results.flat().filter((r) => r.created);
    expect(new Set(created.map((r) => r.id)).size).toBe(created.length);
    expect(created.length).toBe(REPLICAS * EACH + SHARED);
    for (let k = 0; k < EACH + SHARED; k += 2) expect(new Set(results.map((r) => r[k]!.id)).size).toBe(1);
    expect(await stores[0]!.count()).toBe(REPLICAS * EACH + SHARED);
    expect((await stores[3]!.get(results[7]![5]!.id))?.snippet).toEqual(numbered(8, 5));
    await Promise.all(stores.map((s) => s.close()));
  }, 60_000);

  it('when an 11-character prefix is taken by other content, extends the id instead of returning the wrong code', async () => {
    const url = await freshSchema(cluster);
    const store = new PostgresStore({ connectionString: url, pool: 'own' });
    await store.count();
    const state = one();
    const short = snippetHash(state).slice(0, 11);
    await sql(url, "INSERT INTO snippets VALUES ($1, 'other-hash', $2, 1, NULL, now())", [
      short,
      JSON.stringify(numbered(9, 9)),
    ]);
    const r = await store.put(state);
    expect(r.created).toBe(true);
    expect(r.id.length).toBeGreaterThan(11);
    expect((await store.get(r.id))?.snippet).toEqual(state);
    expect((await store.get(short))?.snippet).toEqual(numbered(9, 9));
    expect(await store.put(state)).toEqual({ id: r.id, created: false });
    await store.close();
  });

  it('refuses tables from a newer bpfplay with a message that says what to do', async () => {
    const url = await freshSchema(cluster);
    const first = new PostgresStore({ connectionString: url, pool: 'own' });
    await first.count();
    await first.close();
    await sql(url, "UPDATE bpfplay_schema SET version = version + 1 WHERE component = 'snippets'");
    const store = new PostgresStore({ connectionString: url, pool: 'own' });
    await expect(store.get('AAAAAAAAAAA')).rejects.toThrow(
      /the snippets tables are schema version 2, newer than this bpfplay understands \(1\); run a newer bpfplay, or point BPFPLAY_DATABASE_URL/,
    );
    await store.close();
  });

  it('a wrong password or a server that is not there: the API answers 500 naming the database, never the password', async () => {
    const wrong = pgUrl(cluster).replace(encodeURIComponent(cluster.password), 'not-the-password');
    const api = createShareApi({ store: new PostgresStore({ connectionString: wrong, pool: 'own' }) });
    const r = await api.handleCreate(JSON.stringify(one()), 'k');
    expect(r.status).toBe(500);
    const msg = (r.json as { error: string }).error;
    expect(msg).toMatch(/^could not save the snippet: PostgreSQL postgres:\/\/bpfplay:\*\*\*@\/postgres\?host=/);
    expect(msg).toMatch(/password authentication failed.*check BPFPLAY_DATABASE_URL and that the server is up$/);
    expect(msg).not.toContain('not-the-password');

    const gone = new PostgresStore({
      connectionString: `postgres://x:pw@/db?host=${join(tmp, 'nowhere')}`,
      pool: 'own',
    });
    await expect(gone.get('AAAAAAAAAAA')).rejects.toThrow(/^PostgreSQL postgres:\/\/x:\*\*\*@\/db\?host=.*ENOENT/);
    await gone.close();
  });
});
