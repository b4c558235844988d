import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleAgentInfo } from '@bpfplay/protocol/testing';
import { createNodeList } from '../src/server/nodes';
import { GET } from '../app/api/nodes/route';

/** An agent's GET /api/info, as far as the registry reads it (the agent's own tests cover the real one). */
const agent = createServer((req, res) => {
  if (req.headers.authorization !== 'Bearer tok-1') {
    res.writeHead(401).end('{}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify(
      sampleAgentInfo({
        agent: { hostname: 'lab-host-1' },
        capabilities: { attach: [{ kind: 'tracepoint', supported: true }] },
        limits: { maxConcurrentRuns: 4 },
        load: { runs: 1, sessions: 2, loadAvg1: 0.3 },
      }),
    ),
  );
});
afterAll(() => agent.close());

describe('GET /api/nodes', () => {
  it('is empty and says so when the web app has no agents file or Service', async () => {
    const res = await GET();
    expect(await res.json()).toEqual({ configured: false, nodes: [] });
  });

  it("lists the agents file's nodes with kernel, load and health — no token, no address", async () => {
    await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
    const { port } = agent.address() as AddressInfo;
    const dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-web-nodes-'));
    const file = path.join(dir, 'agents.txt');
    writeFileSync(file, `ws://127.0.0.1:${port} tok-1 lab-1\nws://localhost:${port} wrong lab-2\n`, { mode: 0o600 });
    const list = createNodeList({ BPFPLAY_AGENTS_FILE: file });
    const body = await list();
    expect(body.configured).toBe(true);
    expect(body.nodes.map((n) => [n.name, n.health, n.hostname ?? null])).toEqual([
      ['lab-1', 'up', 'lab-host-1'],
      ['lab-2', 'down', null],
    ]);
    expect(body.nodes[0]).toMatchObject({ kernelRelease: '6.18.0', load: { runs: 1 }, attach: ['tracepoint'] });
    expect(body.nodes[1]!.error).toMatch(/refused the token/);
    expect(JSON.stringify(body)).not.toMatch(/tok-1|127\.0\.0\.1|localhost/);
  });

  it('reports a broken configuration instead of failing the page', async () => {
    const body = await createNodeList({ BPFPLAY_AGENTS_SERVICE: 'svc.local' })();
    expect(body).toMatchObject({
      configured: true,
      nodes: [],
      error: expect.stringMatching(/needs the agents' token/),
    });
  });
});

describe('a down node’s reason', () => {
  it('names the node, not where the agent is', async () => {
    const { withoutAddress } = await import('../src/server/nodes');
    expect(withoutAddress('connect ECONNREFUSED 127.0.0.1:41795', 'ws://127.0.0.1:41795/ws', 'lab-3')).toBe(
      'connect ECONNREFUSED lab-3',
    );
    expect(
      withoutAddress(
        'cannot reach lab-2.example:7100: connect ECONNREFUSED 10.0.0.5:7100',
        'wss://lab-2.example:7100/ws',
        'lab-2',
      ),
    ).toBe('cannot reach lab-2: connect ECONNREFUSED lab-2');
    expect(withoutAddress('connect ECONNREFUSED ::1:7100', 'ws://[::1]:7100/ws', 'lab-4')).toBe(
      'connect ECONNREFUSED lab-4',
    );
    expect(withoutAddress('the agent refused the token (HTTP 401)', 'ws://10.1.2.3:7100/ws', 'lab-5')).toBe(
      'the agent refused the token (HTTP 401)',
    );
  });
});
