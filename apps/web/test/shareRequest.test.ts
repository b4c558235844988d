import { describe, expect, it } from 'vitest';
import { fetchForkedFrom, postSnippet } from '../src/share/shareRequest';

type Sent = { url: string; body: unknown };

function fakeFetch(status: number, body: string | object, headers: Record<string, string> = {}) {
  const sent: Sent[] = [];
  const fn = async (url: string, init: { body: string }) => {
    sent.push({ url, body: JSON.parse(init.body) });
    return {
      ok: status >= 200 && status < 300,
      status,
      headers: { get: (h: string) => headers[h.toLowerCase()] ?? null },
      text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
    };
  };
  return { fn, sent };
}

const state = { files: [{ name: 'p.bpf.c', content: 'int x;' }] };

describe('Share → POST /api/snippets', () => {
  it('answers the id and link, and whether this code was new', async () => {
    const f = fakeFetch(201, { id: 'AbCdEfGhIjK', url: '/s/AbCdEfGhIjK', created: true });
    expect(await postSnippet(f.fn, state)).toEqual({
      ok: true,
      id: 'AbCdEfGhIjK',
      url: '/s/AbCdEfGhIjK',
      created: true,
    });
    expect(f.sent).toEqual([{ url: '/api/snippets', body: state }]);
    const again = fakeFetch(200, { id: 'AbCdEfGhIjK', url: '/s/AbCdEfGhIjK', created: false });
    expect(await postSnippet(again.fn, state)).toMatchObject({ ok: true, created: false });
  });

  it('names the snippet it was forked from, and only a real id', async () => {
    const f = fakeFetch(201, { id: 'NewNewNewNe', url: '/s/NewNewNewNe', created: true });
    await postSnippet(f.fn, state, 'OldOldOldOl');
    await postSnippet(f.fn, state, '../etc');
    expect(f.sent.map((s) => (s.body as { forkedFrom?: string }).forkedFrom)).toEqual(['OldOldOldOl', undefined]);
  });

  it('refuses a snippet over 64 KiB before sending it, saying by how much', async () => {
    const f = fakeFetch(201, {});
    const r = await postSnippet(f.fn, { files: [{ name: 'p.bpf.c', content: 'x'.repeat(70_000) }] });
    expect(r).toEqual({
      ok: false,
      status: null,
      error: expect.stringMatching(/^Not shared: snippet is 70000 bytes; the limit is 65536 bytes \(64 KiB\)/),
    });
    expect(f.sent).toEqual([]);
  });

  it("shows the server's own words for a refusal (size, rate limit, bad file name)", async () => {
    const limited = fakeFetch(
      429,
      { error: 'too many shares from local: the limit is 30 at once, then 20 per minute; try again in 42 s' },
      { 'retry-after': '42' },
    );
    expect(await postSnippet(limited.fn, state)).toEqual({
      ok: false,
      status: 429,
      error: 'Not shared: too many shares from local: the limit is 30 at once, then 20 per minute; try again in 42 s.',
    });
    const bare = fakeFetch(429, '', { 'retry-after': '7' });
    expect((await postSnippet(bare.fn, state)).ok === false && (await postSnippet(bare.fn, state))).toMatchObject({
      error: 'Not shared: too many shares; try again in 7 s.',
    });
    const bad = fakeFetch(400, { error: 'not a valid snippet: files.0.name: file names may use letters' });
    expect(await postSnippet(bad.fn, state)).toMatchObject({
      status: 400,
      error: 'Not shared (HTTP 400): not a valid snippet: files.0.name: file names may use letters.',
    });
  });

  it('says the fragment link still works when the server cannot be reached or answers nonsense', async () => {
    const down = async () => {
      throw new TypeError('Failed to fetch');
    };
    const r = await postSnippet(down, state);
    expect(r.ok === false && r.error).toBe(
      'Could not reach the web server to store the snippet (Failed to fetch). The link with the snippet in it works without the server.',
    );
    const proxy = fakeFetch(502, '<html>Bad Gateway</html>');
    const p = await postSnippet(proxy.fn, state);
    expect(p.ok === false && p.error).toMatch(
      /^Not shared: \/api\/snippets answered HTTP 502 without a usable body \(<html>Bad Gateway/,
    );
  });

  it("reads a re-shared snippet's fork origin from GET /api/snippets/<id>", async () => {
    const asked: string[] = [];
    const get = async (u: string) => (
      asked.push(u),
      { ok: true, json: async () => ({ id: 'x', forkedFrom: 'OldOldOldOl' }) }
    );
    expect(await fetchForkedFrom(get, 'AbCdEfGhIjK')).toBe('OldOldOldOl');
    expect(asked).toEqual(['/api/snippets/AbCdEfGhIjK']);
    expect(await fetchForkedFrom(async () => ({ ok: false, json: async () => ({}) }), 'AbCdEfGhIjK')).toBeUndefined();
  });
});
