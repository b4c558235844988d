import { describe, expect, it } from 'vitest';
import { createShareApi } from '../src/api.js';
import { MAX_REQUEST_BYTES } from '../src/limits.js';
import { DEFAULT_SHARE_RATE, RateLimiter } from '../src/rateLimit.js';
import { clientKey, DIRECT_CLIENTS, handleCreateRequest, readCappedText, shareRequestPolicy } from '../src/request.js';
import { MemoryStore } from '../src/store/memory.js';
import { one } from './fixtures/snippets.js';

const SITE = 'http://play.example:3000';
const direct = { trustedProxies: [] };
const h = (m: Record<string, string>) => ({ get: (n: string) => m[n] ?? null });

function post(body: string | ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}) {
  return new Request(`${SITE}/api/snippets`, {
    method: 'POST',
    headers: { host: 'play.example:3000', 'content-type': 'application/json', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** A body that would be `total` bytes if read to the end, counting what was actually pulled. */
function endlessBody(total: number, chunk = 64 * 1024) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (seen.pulled >= total) return c.close();
      seen.pulled += chunk;
      c.enqueue(new Uint8Array(chunk).fill(0x20));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

describe('who is asking (rate-limit key)', () => {
  it('ignores X-Forwarded-For without a configured proxy: spoofed addresses share one bucket', async () => {
    expect(clientKey(h({ 'x-forwarded-for': '203.0.113.9' }), direct)).toBe(DIRECT_CLIENTS);
    expect(clientKey(h({ 'x-real-ip': '198.51.100.2' }), direct)).toBe(DIRECT_CLIENTS);
    const limiter = new RateLimiter({ ...DEFAULT_SHARE_RATE, now: () => 0 });
    const api = createShareApi({ store: new MemoryStore(), limiter });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await handleCreateRequest(
        api,
        post(JSON.stringify(one(`int spoof_${i};`)), { 'x-forwarded-for': `198.51.100.${i}` }),
        direct,
      );
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(DEFAULT_SHARE_RATE.capacity);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - DEFAULT_SHARE_RATE.capacity);
  });

  it('behind trusted proxies, takes the last address they did not add', () => {
    const policy = { trustedProxies: ['10.0.0.1', '10.0.0.2'] };
    expect(clientKey(h({ 'x-forwarded-for': 'evil, 203.0.113.9, 10.0.0.2' }), policy)).toBe('203.0.113.9');
    expect(clientKey(h({ 'x-forwarded-for': '203.0.113.9' }), policy)).toBe('203.0.113.9');
    expect(clientKey(h({ 'x-forwarded-for': '10.0.0.1' }), policy)).toBe(DIRECT_CLIENTS);
    expect(shareRequestPolicy({ BPFPLAY_TRUSTED_PROXIES: ' 10.0.0.1 ,::1,' }).trustedProxies).toEqual([
      '10.0.0.1',
      '::1',
    ]);
  });
});

describe('writes only from this site, as JSON', () => {
  const api = () => createShareApi({ store: new MemoryStore() });

  it('stores a same-origin JSON post, and one from a client that is no browser page', async () => {
    const same = await handleCreateRequest(api(), post(JSON.stringify(one()), { origin: SITE }), direct);
    expect(same.status).toBe(201);
    const cli = await handleCreateRequest(api(), post(JSON.stringify(one())), direct);
    expect(cli.status).toBe(201);
  });

  it('refuses a page of another site (Origin, Sec-Fetch-Site) and a text/plain form post', async () => {
    const store = new MemoryStore();
    const a = createShareApi({ store });
    const cross = await handleCreateRequest(
      a,
      post(JSON.stringify(one()), { origin: 'http://evil.example', 'content-type': 'text/plain' }),
      direct,
    );
    expect(cross.status).toBe(403);
    expect((cross.json as { error: string }).error).toMatch(/this site's own pages.*evil\.example/);
    const site = await handleCreateRequest(a, post(JSON.stringify(one()), { 'sec-fetch-site': 'cross-site' }), direct);
    expect(site.status).toBe(403);
    const plain = await handleCreateRequest(a, post(JSON.stringify(one()), { 'content-type': 'text/plain' }), direct);
    expect(plain.status).toBe(415);
    expect(await store.get('x'.repeat(11))).toBeUndefined();
  });

  it('behind a trusted proxy, compares the Origin with the forwarded host', async () => {
    const r = await handleCreateRequest(
      api(),
      post(JSON.stringify(one()), { origin: 'https://play.example.org', 'x-forwarded-host': 'play.example.org' }),
      { trustedProxies: ['127.0.0.1'] },
    );
    expect(r.status).toBe(201);
  });
});

describe('the body cap', () => {
  it('stops reading at the cap: a 300 MB body is refused after about the cap, not buffered', async () => {
    const { stream, seen } = endlessBody(300 << 20);
    const r = await handleCreateRequest(createShareApi({ store: new MemoryStore() }), post(stream), direct);
    expect(r.status).toBe(413);
    expect(seen.pulled).toBeLessThan(MAX_REQUEST_BYTES + 256 * 1024);
    expect(seen.cancelled).toBe(true);
  });

  it('refuses a declared Content-Length over the cap without reading at all', async () => {
    const { stream, seen } = endlessBody(300 << 20);
    const r = await handleCreateRequest(
      createShareApi({ store: new MemoryStore() }),
      post(stream, { 'content-length': String(300 << 20) }),
      direct,
    );
    expect(r.status).toBe(413);
    expect(seen.pulled).toBeLessThanOrEqual(64 * 1024 * 2);
  });

  it('reads a body under the cap whole', async () => {
    const r = await readCappedText(new Response('héllo').body, 100);
    expect(r).toEqual({ ok: true, text: 'héllo' });
    expect(await readCappedText(new Response('x'.repeat(101)).body, 100)).toEqual({ ok: false, bytes: 101 });
  });
});
