import { request as httpRequest } from 'node:http';
import { expect, test } from '../lib/test';

/**
 * The share API of the real web server, as an attacker would use it: from a page of another site
 * (a text/plain form post carries no preflight), and with a body far over the cap, streamed.
 * Neither may store anything, and the big body must be refused without the server reading it all.
 */
test('a cross-site text/plain post is refused and stores nothing', async ({ servers, request }) => {
  const body = JSON.stringify({ files: [{ name: 'prog.bpf.c', content: `// cross-site ${Date.now()}\n` }] });
  const r = await request.post(`${servers.web}/api/snippets`, {
    headers: { origin: 'http://evil.example', 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
    data: body,
  });
  expect(r.status()).toBe(403);
  expect((await r.json()).error).toMatch(/this site's own pages/);
  const plain = await request.post(`${servers.web}/api/snippets`, {
    headers: { 'content-type': 'text/plain' },
    data: body,
  });
  expect(plain.status()).toBe(415);
});

test('a 300 MB body is refused once it passes the cap, long before it is all sent', async ({ servers }) => {
  const url = new URL(`${servers.web}/api/snippets`);
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  const total = 300 << 20;
  const outcome = await new Promise<{ status: number; sentWhenAnswered: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    // Chunked, no Content-Length: only reading can tell the size.
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, sentWhenAnswered: sent });
        res.resume();
        req.destroy();
      },
    );
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
  expect(outcome.status).toBe(413);
  expect(outcome.sentWhenAnswered, 'the server answered only after reading (nearly) all of it').toBeLessThan(64 << 20);
});
