import { describe, expect, it } from 'vitest';
import type { AgentInfo } from '@bpfplay/protocol';
import { discoverAgents, NodeRegistry, parseAgentsFile, type AgentEndpoint, type Resolver } from '../src';

const info = (hostname: string, runs = 0, sessions = 0): AgentInfo => ({
  version: 1,
  agent: { version: '0.1.0', hostname },
  capabilities: {
    kernelRelease: '6.18.0-test',
    arch: 'x64',
    cpus: 2,
    btf: true,
    attach: [
      { kind: 'tracepoint', supported: true },
      { kind: 'kprobe', supported: false, reason: 'CONFIG_KPROBES is off' },
    ],
    coreTargets: [],
    runTargets: ['host'],
    uprobeBinaries: [],
  },
  limits: {
    maxRunSeconds: 300,
    defaultRunSeconds: 30,
    maxSnippetBytes: 65536,
    maxFiles: 16,
    maxEventsPerSec: 1000,
    maxMapBytes: 1 << 20,
    maxPrograms: 16,
    maxConcurrentRuns: 4,
  },
  load: { runs, sessions, loadAvg1: 0.5 },
});

describe('the agents file', () => {
  it('reads one "URL TOKEN [NAME]" line per agent, with comments, and names nodes by host:port by default', () => {
    const agents = parseAgentsFile(
      [
        '# the lab',
        'ws://10.0.0.5:7100   tok-a   node-a',
        '',
        'http://10.0.0.6:7100/ tok-b  # second',
        'wss://b.lab/ws tok-c',
      ].join('\n'),
    );
    expect(agents).toEqual([
      { name: 'node-a', url: 'ws://10.0.0.5:7100/ws', token: 'tok-a' },
      { name: '10.0.0.6:7100', url: 'ws://10.0.0.6:7100/ws', token: 'tok-b' },
      { name: 'b.lab', url: 'wss://b.lab/ws', token: 'tok-c' },
    ]);
  });
  it('says which line is wrong and why', () => {
    expect(() => parseAgentsFile('ws://a:1 t\nws://b:1', 'agents.txt')).toThrow(
      /agents\.txt:2: expected "URL TOKEN \[NAME\]", got 1 column/,
    );
    expect(() => parseAgentsFile('ftp://a:1 t', 'agents.txt')).toThrow(/agents\.txt:1: .*starts with ws:\/\//);
    expect(() => parseAgentsFile('ws://a:1/ws?token=x t', 'f')).toThrow(/no query/);
    expect(() => parseAgentsFile('ws://a:1 t n\nws://b:1 t n', 'f')).toThrow(/f:2: node name "n" appears twice/);
    expect(() => parseAgentsFile('# nothing\n', 'f')).toThrow(/f: no agents/);
    expect(() => parseAgentsFile('ws://a:1 t x\nws://a:1/ws u y', 'f')).toThrow(/f:2: ws:\/\/a:1\/ws appears twice/);
  });
});

/** A cluster DNS as a table: what CoreDNS answers for a headless Service of a 3-node DaemonSet. */
function stubResolver(srv: Record<string, { name: string; port: number }[]>, a: Record<string, string[]>): Resolver {
  const missing = (name: string) => Object.assign(new Error(`queryX ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return {
    resolveSrv: async (name) => {
      if (!srv[name]) throw missing(name);
      return srv[name]!.map((r) => ({ ...r, priority: 0, weight: 33 }));
    },
    resolve4: async (name) => {
      if (!a[name]) throw missing(name);
      return a[name]!;
    },
  };
}

describe('Kubernetes discovery', () => {
  const svc = 'bpfplay-agent.bpfplay.svc.cluster.local';
  const base = { service: svc, portName: 'ws', defaultPort: 7100, token: 'secret', scheme: 'ws' as const };

  it('finds every pod of the headless Service from its SRV records, sorted by address', async () => {
    const resolver = stubResolver(
      {
        [`_ws._tcp.${svc}`]: [
          { name: `10-0-0-12.${svc}`, port: 7100 },
          { name: `10-0-0-3.${svc}`, port: 7100 },
        ],
      },
      { [`10-0-0-12.${svc}`]: ['10.0.0.12'], [`10-0-0-3.${svc}`]: ['10.0.0.3'] },
    );
    expect(await discoverAgents(base, resolver)).toEqual([
      { name: '10.0.0.3:7100', url: 'ws://10.0.0.3:7100/ws', token: 'secret' },
      { name: '10.0.0.12:7100', url: 'ws://10.0.0.12:7100/ws', token: 'secret' },
    ]);
  });
  it('falls back to A records and the default port when the DNS has no SRV records', async () => {
    const resolver = stubResolver({}, { [svc]: ['10.0.0.7', '10.0.0.2'] });
    const found = await discoverAgents({ ...base, scheme: 'wss' }, resolver);
    expect(found.map((e) => e.url)).toEqual(['wss://10.0.0.2:7100/ws', 'wss://10.0.0.7:7100/ws']);
  });
  it('finds nobody (not an error) when no pod is ready, and says so when DNS itself fails', async () => {
    expect(await discoverAgents(base, stubResolver({}, {}))).toEqual([]);
    const broken: Resolver = {
      resolveSrv: async () => {
        throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
      },
      resolve4: async () => [],
    };
    await expect(discoverAgents(base, broken)).rejects.toThrow(/cannot look up the agents' Service .*: ETIMEOUT/);
  });
});

describe('the node registry', () => {
  const a: AgentEndpoint = { name: 'a', url: 'ws://127.0.0.1:1/ws', token: 'ta' };
  const b: AgentEndpoint = { name: 'b', url: 'ws://127.0.0.1:2/ws', token: 'tb' };

  it('shows each node with kernel, capabilities, load and health, never its token', async () => {
    const reg = new NodeRegistry({
      sources: [() => [a, b]],
      fetchInfo: async (ep) => {
        if (ep.name === 'b') throw new Error('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:2');
        return info('host-a', 1, 2);
      },
      now: () => 1000,
    });
    await reg.refresh();
    const [na, nb] = reg.nodes();
    expect(na).toMatchObject({
      name: 'a',
      health: 'up',
      hostname: 'host-a',
      kernelRelease: '6.18.0-test',
      attach: ['tracepoint'],
      load: { runs: 1, sessions: 2 },
      lastUp: 1000,
    });
    expect(nb).toMatchObject({ name: 'b', health: 'down', error: expect.stringMatching(/ECONNREFUSED/) });
    expect(JSON.stringify(reg.nodes())).not.toMatch(/"t[ab]"|token/);
    expect(reg.up().map((e) => e.name)).toEqual(['a']);
  });

  it('marks a node down when it stops answering and up again when it is back', async () => {
    let bAlive = true;
    let t = 0;
    const reg = new NodeRegistry({
      sources: [() => [a, b]],
      fetchInfo: async (ep) => {
        if (ep.name === 'b' && !bAlive) throw new Error('no answer in 3000 ms');
        return info(`host-${ep.name}`);
      },
      now: () => ++t,
    });
    await reg.refresh();
    expect(reg.nodes().map((n) => n.health)).toEqual(['up', 'up']);
    bAlive = false;
    await reg.refresh();
    const down = reg.nodes()[1]!;
    expect(down).toMatchObject({ health: 'down', error: 'no answer in 3000 ms', kernelRelease: '6.18.0-test' });
    expect(down.lastUp).toBeLessThan(down.checkedAt!);
    bAlive = true;
    await reg.refresh();
    expect(reg.nodes()[1]).toMatchObject({ health: 'up' });
    expect(reg.nodes()[1]!.error).toBeUndefined();
  });

  it('follows the DNS: a pod that leaves the Service leaves the list; a failed lookup keeps the nodes it had', async () => {
    let list: AgentEndpoint[] | Error = [a, b];
    const reg = new NodeRegistry({
      sources: [
        () => {
          if (list instanceof Error) throw list;
          return list;
        },
      ],
      fetchInfo: async (ep) => info(ep.name),
    });
    await reg.refresh();
    list = [a];
    await reg.refresh();
    expect(reg.nodes().map((n) => n.name)).toEqual(['a']);
    list = new Error('DNS down');
    await reg.refresh();
    expect(reg.nodes().map((n) => n.name)).toEqual(['a']);
  });

  it('places a learner on the least loaded node that is up', async () => {
    const c: AgentEndpoint = { name: 'c', url: 'ws://127.0.0.1:3/ws', token: 'tc' };
    const loads: Record<string, [number, number]> = { a: [3, 5], b: [1, 9], c: [1, 2] };
    const reg = new NodeRegistry({
      sources: [() => [a, b, c]],
      fetchInfo: async (ep) => info(ep.name, ...loads[ep.name]!),
    });
    await reg.refresh();
    expect(reg.leastLoaded()?.name).toBe('c');
    loads.c = [4, 0];
    await reg.refresh();
    expect(reg.leastLoaded()?.name).toBe('b');
  });
});
