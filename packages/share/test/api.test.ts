import { describe, expect, it } from 'vitest';
import { SNIPPET_LIMITS } from '@bpfplay/protocol';
import { createShareApi } from '../src/api.js';
import { snippetId } from '../src/id.js';
import { MAX_REQUEST_BYTES } from '../src/limits.js';
import { RateLimiter } from '../src/rateLimit.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SnippetStore } from '../src/store/types.js';
import { HELLO, one } from './fixtures/snippets.js';

function api(limiter?: RateLimiter, store: SnippetStore = new MemoryStore()) {
  return createShareApi({ store, ...(limiter ? { limiter } : {}) });
}
const body = (v: unknown) => JSON.stringify(v);

describe('POST /api/snippets', () => {
  it('stores the files and answers {id, url} with 201', async () => {
    const r = await api().handleCreate(
      body({ files: [{ name: 'prog.bpf.c', content: HELLO }], options: { durationSec: 5 } }),
      'k',
    );
    const id = snippetId({ ...one(), options: { durationSec: 5 } });
    expect(r).toEqual({ status: 201, json: { id, url: `/s/${id}`, created: true } });
  });

  it('answers 200 with the same id when the same code is shared again', async () => {
    const a = api();
    const first = await a.handleCreate(body(one()), 'k');
    const again = await a.handleCreate(one(), 'k'); // already-parsed bodies work too
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...(first.json as object), created: false });
  });

  it('a fork records its parent, shown by GET', async () => {
    const a = api();
    const parent = (await a.handleCreate(body(one()), 'k')).json as { id: string };
    const child = (await a.handleCreate(body({ ...one(`${HELLO}// edited\n`), forkedFrom: parent.id }), 'k')).json as {
      id: string;
    };
    expect(child.id).not.toBe(parent.id);
    expect((await a.handleGet(child.id)).json).toMatchObject({ forkedFrom: parent.id });
  });

  it('413 for a snippet over the cap, naming the limit', async () => {
    const r = await api().handleCreate(body(one('x'.repeat(SNIPPET_LIMITS.maxTotalBytes + 10))), 'k');
    expect(r.status).toBe(413);
    expect(r.json).toEqual({
      error:
        'snippet is 65546 bytes; the limit is 65536 bytes (64 KiB) for all files together: remove or shorten files and share again',
    });
  });

  it('413 for a request body too big to read, before parsing it', async () => {
    const r = await api().handleCreate('x'.repeat(MAX_REQUEST_BYTES + 1), 'k');
    expect(r.status).toBe(413);
    expect((r.json as { error: string }).error).toMatch(/^request body is \d+ bytes; the limit is \d+ bytes/);
  });

  it('400 with the reason for bodies that are not snippets', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /^request body is not JSON: /],
      [body([1, 2]), /must be a JSON object: \{"files"/],
      [body({}), /^not a valid snippet: files: /],
      [body({ files: [] }), /^not a valid snippet: files: /],
      [body({ files: [{ name: '../../etc/shadow', content: '' }] }), /files\.0\.name: file names may use letters/],
      [body({ files: [{ name: 'a.bpf.c', content: 1 }] }), /files\.0\.content/],
      [body({ ...one(), options: { durationSec: -1 } }), /options\.durationSec/],
      [body({ ...one(), forkedFrom: '../x' }), /^forkedFrom must be a snippet id/],
    ];
    for (const [b, msg] of cases) {
      const r = await api().handleCreate(b, 'k');
      expect(r.status, String(b)).toBe(400);
      expect((r.json as { error: string }).error, String(b)).toMatch(msg);
    }
  });

  it('429 with Retry-After once a client passes its budget; other clients are unaffected', async () => {
    let t = 0;
    const a = api(new RateLimiter({ capacity: 2, refillPerSecond: 0.1, now: () => t }));
    expect((await a.handleCreate(body(one()), '1.1.1.1')).status).toBe(201);
    expect((await a.handleCreate(body(one()), '1.1.1.1')).status).toBe(200);
    const r = await a.handleCreate(body(one()), '1.1.1.1');
    expect(r).toEqual({
      status: 429,
      json: { error: 'too many shares from 1.1.1.1: the limit is 2 at once, then 6 per minute; try again in 10 s' },
      headers: { 'retry-after': '10' },
    });
    expect((await a.handleCreate(body(one()), '2.2.2.2')).status).toBe(200);
    t += 10_000;
    expect((await a.handleCreate(body(one()), '1.1.1.1')).status).toBe(200);
  });

  it('500 with the store’s reason when saving fails', async () => {
    const broken: SnippetStore = {
      put: async () => {
        throw new Error('disk full');
      },
      get: async () => undefined,
      close: async () => {},
    };
    expect(await api(undefined, broken).handleCreate(body(one()), 'k')).toEqual({
      status: 500,
      json: { error: 'could not save the snippet: disk full' },
    });
  });
});

describe('GET /api/snippets/<id>', () => {
  it('answers the snippet as JSON, cacheable for good', async () => {
    const a = api();
    const state = {
      files: [
        { name: 'prog.bpf.c', content: HELLO },
        { name: 'prog.h', content: '' },
      ],
      options: { params: { targ_pid: 7 } },
    };
    const { id } = (await a.handleCreate(body(state), 'k')).json as { id: string };
    const r = await a.handleGet(id);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id, ...state, size: Buffer.byteLength(HELLO) });
    expect((r.json as { createdAt: string }).createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r.headers?.['cache-control']).toContain('immutable');
  });

  it('404 with a message for an unknown id', async () => {
    expect(await api().handleGet('AAAAAAAAAAA')).toEqual({
      status: 404,
      json: {
        error:
          'no snippet with id AAAAAAAAAAA: the link may be mistyped or cut short, or it was shared on another bpfplay server',
      },
    });
  });

  it('400 for something that cannot be an id', async () => {
    for (const id of ['short', '../../etc/passwd', 'a'.repeat(44), 'has space!!']) {
      const r = await api().handleGet(id);
      expect(r.status, id).toBe(400);
      expect((r.json as { error: string }).error).toMatch(/is not a snippet id/);
    }
  });
});
