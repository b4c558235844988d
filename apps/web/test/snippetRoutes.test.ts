import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as StoredSnippet from '../src/server/storedSnippet';
import { closeShareApi } from '@bpfplay/share/server';

// The route handlers as Next.js runs them, on the real SQLite store in a temporary data dir.
const dataDir = mkdtempSync(join(tmpdir(), 'bpfplay-web-routes-'));
let POST: (req: Request) => Promise<Response>;
let GET: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
let loadStoredSnippet: typeof StoredSnippet.loadStoredSnippet;

beforeAll(async () => {
  await closeShareApi();
  process.env.BPFPLAY_DATA_DIR = dataDir;
  ({ POST } = await import('../app/api/snippets/route'));
  ({ GET } = await import('../app/api/snippets/[id]/route'));
  ({ loadStoredSnippet } = await import('../src/server/storedSnippet'));
});
afterAll(async () => {
  await closeShareApi();
  delete process.env.BPFPLAY_DATA_DIR;
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  POST(
    new Request('http://web/api/snippets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
const get = (id: string) => GET(new Request(`http://web/api/snippets/${id}`), { params: Promise.resolve({ id }) });
const files = [{ name: 'prog.bpf.c', content: '// route test\nint x;\n' }];

describe('/api/snippets and the /s page loader', () => {
  it('stores under BPFPLAY_DATA_DIR and answers the same id for the same code', async () => {
    const a = await post({ files });
    expect(a.status).toBe(201);
    const j = (await a.json()) as { id: string; url: string };
    expect(j.url).toBe(`/s/${j.id}`);
    const b = await post({ files });
    expect(b.status).toBe(200);
    expect(((await b.json()) as { id: string }).id).toBe(j.id);
    expect(existsSync(join(dataDir, 'snippets.sqlite'))).toBe(true);
  });

  it('serves a stored snippet as immutable JSON, and a fork knows its origin', async () => {
    const { id } = (await (await post({ files })).json()) as { id: string };
    const fork = (await (
      await post({ files: [{ ...files[0]!, content: `${files[0]!.content}// edited\n` }], forkedFrom: id })
    ).json()) as { id: string };
    const r = await get(fork.id);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('immutable');
    expect(await r.json()).toMatchObject({ id: fork.id, forkedFrom: id });
    const page = await loadStoredSnippet(fork.id);
    expect(page).toEqual({
      ok: true,
      snippet: {
        id: fork.id,
        files: [{ name: 'prog.bpf.c', content: '// route test\nint x;\n// edited\n' }],
        forkedFrom: id,
      },
    });
  });

  it('answers 413 with the sizes, 400 for a bad name, 404 with what to check', async () => {
    const big = await post({ files: [{ name: 'p.bpf.c', content: 'x'.repeat(70_000) }] });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/snippet is 70000 bytes; the limit is 65536 bytes/);
    expect((await post({ files: [{ name: '../x.c', content: '' }] })).status).toBe(400);
    const missing = await get('AAAAAAAAAAA');
    expect(missing.status).toBe(404);
    expect(await loadStoredSnippet('AAAAAAAAAAA')).toMatchObject({
      ok: false,
      status: 404,
      error: expect.stringContaining('no snippet with id AAAAAAAAAAA'),
    });
  });
});
