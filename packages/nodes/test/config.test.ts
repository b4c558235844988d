import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodesConfig, type Resolver } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'bpfplay-nodes-config-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const resolver: Resolver = {
  resolveSrv: async () => [{ name: 'p1.svc', port: 7100, priority: 0, weight: 1 }],
  resolve4: async () => ['10.1.0.4'],
};

describe("the web app's nodes configuration (environment)", () => {
  it('is off without an agents file or a Service: the web app keeps its one agent', () => {
    expect(nodesConfig({})).toBeUndefined();
  });

  it('reads agents from a file and from the Kubernetes Service, with the token from the mounted Secret', async () => {
    const file = write('agents.txt', 'ws://127.0.0.1:7101 tok-1 lab-1\n');
    const token = write('token', 'secret-token\n');
    const c = nodesConfig(
      {
        BPFPLAY_AGENTS_FILE: file,
        BPFPLAY_AGENTS_SERVICE: 'bpfplay-agent.bpfplay.svc.cluster.local',
        BPFPLAY_AGENT_TOKEN_FILE: token,
        BPFPLAY_AGENTS_SCHEME: 'wss',
        BPFPLAY_AGENTS_CA: write('ca.pem', '-----BEGIN CERTIFICATE-----\n'),
      },
      resolver,
    )!;
    const found = (await Promise.all(c.sources.map((s) => s()))).flat();
    expect(found.map((e) => [e.name, e.url, e.token])).toEqual([
      ['lab-1', 'ws://127.0.0.1:7101/ws', 'tok-1'],
      ['10.1.0.4:7100', 'wss://10.1.0.4:7100/ws', 'secret-token'],
    ]);
    expect(found[1]!.tls?.ca).toMatch(/BEGIN CERTIFICATE/);
    expect(c.refreshSeconds).toBe(10);
  });

  it('stops at start with the reason when the configuration cannot work', () => {
    expect(() => nodesConfig({ BPFPLAY_AGENTS_SERVICE: 'svc' })).toThrow(/needs the agents' token/);
    expect(() => nodesConfig({ BPFPLAY_AGENTS_FILE: join(dir, 'missing.txt') })).toThrow(
      /cannot read the agents file .*ENOENT/,
    );
    expect(() => nodesConfig({ BPFPLAY_AGENTS_FILE: write('bad.txt', 'ws://a:1\n') })).toThrow(/bad\.txt:1: expected/);
    expect(() =>
      nodesConfig({ BPFPLAY_AGENTS_SERVICE: 'svc', BPFPLAY_AGENT_TOKEN: 't', BPFPLAY_AGENTS_SCHEME: 'http' }),
    ).toThrow(/ws or wss/);
  });
});
