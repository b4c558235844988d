import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { SNIPPET_LIMITS } from '@bpfplay/protocol';
import { snippetId } from '../src/id.js';
import { SnippetTooLargeError } from '../src/limits.js';
import { MemoryStore } from '../src/store/memory.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { PostgresStore } from '../src/store/postgres.js';
import type { SnippetStore, StoreOptions } from '../src/store/types.js';
import { HELLO, numbered, one } from './fixtures/snippets.js';
import { freshSchema } from './fixtures/postgres.js';

const root = mkdtempSync(join(tmpdir(), 'bpfplay-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

// A real PostgreSQL (test/globalSetup.ts): every test gets a schema of its own, as every SQLite
// test gets a file of its own.
let pgUrl = '';

interface Kind {
  make: (o?: StoreOptions) => SnippetStore;
  before?: () => Promise<void>;
}
const kinds: [string, Kind][] = [
  ['MemoryStore', { make: (o) => new MemoryStore(o) }],
  ['SqliteStore', { make: (o) => new SqliteStore({ dataDir: join(root, `db${n++}`), ...o }) }],
  [
    'PostgresStore',
    {
      make: (o) => new PostgresStore({ connectionString: pgUrl, pool: 'own', ...o }),
      before: async () => void (pgUrl = await freshSchema(inject('pg'))),
    },
  ],
];

describe.each(kinds)('%s', (_name, { make, before }) => {
  if (before) beforeEach(before, 30_000);
  const open: SnippetStore[] = [];
  const fresh = (o?: StoreOptions) => {
    const s = make(o);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('stores a snippet under its content id and gives it back', async () => {
    const s = fresh({ now: () => new Date('2026-01-02T03:04:05Z') });
    const state = {
      files: [
        { name: 'prog.bpf.c', content: HELLO },
        { name: 'prog.h', content: '' },
      ],
      options: { durationSec: 5 },
    };
    const r = await s.put(state);
    expect(r).toEqual({ id: snippetId(state), created: true });
    expect(await s.get(r.id)).toEqual({
      id: r.id,
      snippet: state,
      createdAt: '2026-01-02T03:04:05.000Z',
      size: Buffer.byteLength(HELLO),
    });
  });

  it('same snippet twice: same id, the second put changes nothing', async () => {
    const s = fresh();
    const a = await s.put(one());
    const b = await s.put({ ...one(), options: { mode: 'run' } });
    expect(b).toEqual({ id: a.id, created: false });
  });

  it('different snippets: different ids', async () => {
    const s = fresh();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await s.put(numbered(i, 0))).id);
    expect(ids.size).toBe(50);
  });

  it('keeps where a snippet was forked from, and the first put wins (rows are immutable)', async () => {
    const s = fresh();
    const parent = await s.put(one());
    const child = await s.put(numbered(1, 1), { forkedFrom: parent.id });
    expect((await s.get(child.id))?.forkedFrom).toBe(parent.id);
    const other = await s.put(numbered(2, 2));
    expect(await s.put(numbered(1, 1), { forkedFrom: other.id })).toEqual({ id: child.id, created: false });
    expect((await s.get(child.id))?.forkedFrom).toBe(parent.id);
  });

  it('drops a forkedFrom that names no stored snippet, so the page never links to a 404', async () => {
    const s = fresh();
    const r = await s.put(one(), { forkedFrom: 'AAAAAAAAAAA' });
    expect((await s.get(r.id))?.forkedFrom).toBeUndefined();
  });

  it('refuses a snippet over 64 KiB, naming the limit', async () => {
    const s = fresh();
    const big = one('x'.repeat(SNIPPET_LIMITS.maxTotalBytes + 1));
    await expect(s.put(big)).rejects.toThrow(SnippetTooLargeError);
    await expect(s.put(big)).rejects.toThrow(/65537 bytes; the limit is 65536 bytes \(64 KiB\)/);
    expect((await s.put(one('x'.repeat(SNIPPET_LIMITS.maxTotalBytes)))).created).toBe(true);
  });

  it('answers undefined for an unknown id', async () => {
    expect(await fresh().get('AAAAAAAAAAA')).toBeUndefined();
  });

  it('salted differently, gives other ids', async () => {
    expect((await fresh({ salt: 'x' }).put(one())).id).not.toBe((await fresh().put(one())).id);
  });
});
