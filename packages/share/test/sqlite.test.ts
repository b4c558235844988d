import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { snippetHash } from '../src/id.js';
import { SCHEMA_VERSION } from '../src/store/migrations.js';
import { SNIPPET_DB_FILE, SqliteStore } from '../src/store/sqlite.js';
import { numbered, one } from './fixtures/snippets.js';
import { maxOverlap, runWorker, runWorkersTogether } from './fixtures/workers.js';

const root = mkdtempSync(join(tmpdir(), 'bpfplay-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SqliteStore on disk', () => {
  it('survives a restart: one process writes and exits, another reads', async () => {
    const dataDir = join(root, 'restart', 'nested'); // created on demand
    const writer = await runWorker({ dataDir, puts: [{ snippet: one() }, { snippet: numbered(7, 7) }], gets: [] });
    expect(writer.puts.map((p) => p.created)).toEqual([true, true]);
    const ids = writer.puts.map((p) => p.id);
    const reader = await runWorker({ dataDir, puts: [{ snippet: one() }], gets: [...ids, 'AAAAAAAAAAA'] });
    expect(reader.pid).not.toBe(writer.pid);
    expect(reader.puts).toEqual([{ id: ids[0], created: false }]);
    expect(reader.gets.map((g) => g?.snippet)).toEqual([one(), numbered(7, 7), undefined]);
  }, 60_000);

  it('20 processes writing at once lose nothing: distinct snippets all stored, identical ones stored once', async () => {
    const dataDir = join(root, 'concurrent');
    const WORKERS = 20;
    const EACH = 10;
    const SHARED = 10;
    const jobs = Array.from({ length: WORKERS }, (_, w) => ({
      dataDir,
      // Interleave: everyone's own snippets between the snippets every worker puts.
      puts: Array.from({ length: EACH + SHARED }, (_, k) => ({ snippet: k % 2 ? numbered(w + 1, k) : numbered(0, k) })),
      gets: [],
    }));
    const results = await runWorkersTogether(jobs);
    const first = Math.min(...results.map((r) => r.startedAt));
    const last = Math.max(...results.map((r) => r.endedAt));
    console.log(
      `${WORKERS} processes × ${EACH + SHARED} puts into one new SQLite file: ${last - first} ms from the first open ` +
        `to the last close; at most ${maxOverlap(results)} processes had the file open at once`,
    );

    const byId = new Map<string, number>();
    for (const r of results) for (const p of r.puts) if (p.created) byId.set(p.id, (byId.get(p.id) ?? 0) + 1);
    // Each distinct snippet was created exactly once across all processes...
    expect([...byId.values()].every((c) => c === 1)).toBe(true);
    expect(byId.size).toBe(WORKERS * EACH + SHARED);
    // ...every process got the same id for the shared ones...
    for (let k = 0; k < EACH + SHARED; k += 2) {
      expect(new Set(results.map((r) => r.puts[k]!.id)).size).toBe(1);
    }
    // ...and the file holds all of them, readable by a fresh process.
    const store = new SqliteStore({ dataDir });
    expect(store.count()).toBe(WORKERS * EACH + SHARED);
    for (const r of results) {
      for (let k = 0; k < r.puts.length; k++) {
        const got = await store.get(r.puts[k]!.id);
        expect(got?.snippet).toEqual(jobs[results.indexOf(r)]!.puts[k]!.snippet);
      }
    }
    await store.close();
  }, 240_000);

  it('uses WAL and records its schema version', async () => {
    const dataDir = join(root, 'pragmas');
    await new SqliteStore({ dataDir }).close();
    const db = new Database(join(dataDir, SNIPPET_DB_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a database from a newer bpfplay with a message that says what to do', async () => {
    const dataDir = join(root, 'future');
    await new SqliteStore({ dataDir }).close();
    const db = new Database(join(dataDir, SNIPPET_DB_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore({ dataDir })).toThrow(
      new RegExp(
        `schema version ${SCHEMA_VERSION + 1}, newer than this bpfplay understands \\(${SCHEMA_VERSION}\\); run a newer bpfplay, or point BPFPLAY_DATA_DIR`,
      ),
    );
  });

  it('says which file it could not open', () => {
    expect(() => new SqliteStore({ dataDir: '/proc/self' })).toThrow(
      /^cannot open the snippet database \/proc\/self\/snippets\.sqlite: /,
    );
  });

  it('when an 11-character prefix is taken by other content, extends the id instead of returning the wrong code', async () => {
    const dataDir = join(root, 'collision');
    const state = one();
    const hash = snippetHash(state);
    const short = hash.slice(0, 11);
    await new SqliteStore({ dataDir }).close();
    const db = new Database(join(dataDir, SNIPPET_DB_FILE));
    db.prepare("INSERT INTO snippets VALUES (?, 'other-hash', ?, 1, NULL, '2020-01-01T00:00:00.000Z')").run(
      short,
      JSON.stringify(numbered(9, 9)),
    );
    db.close();
    const store = new SqliteStore({ dataDir });
    const r = await store.put(state);
    expect(r.created).toBe(true);
    expect(r.id.length).toBeGreaterThan(11);
    expect(hash.startsWith(r.id)).toBe(true);
    expect((await store.get(r.id))?.snippet).toEqual(state);
    expect((await store.get(short))?.snippet).toEqual(numbered(9, 9));
    expect(await store.put(state)).toEqual({ id: r.id, created: false });
    await store.close();
  });
});
