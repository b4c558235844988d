import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry, readAgentsFile, type NodeFrame } from '@bpfplay/nodes';
import { startAgentProcess, type AgentProcess } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { requireKernel, uniqueName } from '../harness/kernel.js';
import { execPrintk, runAndLoseOne, startExecLoop } from './exec-printk.js';

/**
 * Many nodes, as this machine can have them: three agent processes on loopback ports, each with
 * its own token and node name (one kernel under all three — the honest stand-in for a fleet here;
 * per-node CO-RE differences cannot show). node1 and node2 take shipped objects, node3 does not.
 */
const fn = uniqueName('fan');
const SOURCE = execPrintk(fn);

const agents: AgentProcess[] = [];
let agentsFile = '';
let execs: ChildProcess | undefined;

/** Agent n; a restart passes its port and token again (the token by environment, as documented). */
const start = (n: number, again?: AgentProcess) =>
  startAgentProcess([...(n < 3 ? ['--accept-objects'] : []), ...(again ? ['--port', new URL(again.url).port] : [])], {
    BPFPLAY_NODE_NAME: `host-${n}`,
    ...(again ? { BPFPLAY_TOKEN: again.token } : {}),
  });

beforeAll(async () => {
  requireKernel();
  for (const n of [1, 2, 3]) agents.push(await start(n));
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-nodes-'));
  agentsFile = join(dir, 'agents.txt');
  writeFileSync(agentsFile, agents.map((a, i) => `${a.wsUrl} ${a.token} node${i + 1}\n`).join(''), { mode: 0o600 });
  execs = startExecLoop();
});

afterAll(async () => {
  execs?.kill();
  await Promise.all(agents.map((a) => a.stop()));
});

describe('many agents', () => {
  it('the registry shows every node with its name, kernel, capabilities and load, and tracks one going down and back up', async () => {
    const registry = new NodeRegistry({ sources: [() => readAgentsFile(agentsFile)], timeoutMs: 10_000 });
    await registry.refresh();
    const nodes = registry.nodes();
    expect(nodes.map((n) => [n.name, n.health, n.hostname])).toEqual([
      ['node1', 'up', 'host-1'],
      ['node2', 'up', 'host-2'],
      ['node3', 'up', 'host-3'],
    ]);
    expect(nodes[0]).toMatchObject({ kernelRelease: expect.any(String), prebuiltObjects: true, load: { runs: 0 } });
    expect(nodes[0]!.attach).toContain('tracepoint');
    expect(nodes[2]!.prebuiltObjects).toBe(false);

    await agents[1]!.stop('SIGKILL');
    await registry.refresh();
    expect(registry.nodes()[1]).toMatchObject({
      name: 'node2',
      health: 'down',
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    agents[1] = await start(2, agents[1]);
    await registry.refresh();
    expect(registry.nodes().map((n) => n.health)).toEqual(['up', 'up', 'up']);
  });

  it('bpfplay run --agents FILE --json: compiled once, every node runs it, every record carries its node', async () => {
    const run = await runCli(writeSnippet({ 'fan.bpf.c': SOURCE }), ['--agents', agentsFile, '--duration', '2']);
    expect(run.code, run.stderr).toBe(0);
    const compiled = ofType(run.messages, 'compiled');
    // One clang run for the fleet: the first node to say hello compiled, the nodes that take
    // objects got its object; node3 takes none, so it compiled for itself (or was the first).
    const cache = Object.fromEntries(compiled.map((c) => [c.node, c.cache]));
    expect(Object.keys(cache).sort()).toEqual(['node1', 'node2', 'node3']);
    expect(cache.node3).not.toBe('shipped');
    expect([cache.node1, cache.node2].filter((c) => c === 'shipped').length).toBeGreaterThanOrEqual(1);
    expect(Object.values(cache).filter((c) => c !== 'shipped').length).toBeLessThanOrEqual(2);
    expect(compiled.every((c) => c.ok && c.object === undefined)).toBe(true);
    const printk = ofType(run.messages, 'printk');
    for (const node of ['node1', 'node2', 'node3']) {
      expect(
        printk.some((p) => p.node === node && p.lines.some((l) => /exec by \d+/.test(l.text))),
        node,
      ).toBe(true);
    }
    expect(run.messages.every((m) => m.node !== undefined || (m.type === 'stopped' && m.nodes))).toBe(true);
    const final = ofType(run.messages, 'stopped').at(-1)!;
    expect(final.node).toBeUndefined();
    expect(final.nodes!.map((n) => [n.node, n.reason])).toEqual([
      ['node1', 'timeout'],
      ['node2', 'timeout'],
      ['node3', 'timeout'],
    ]);
  });

  it('one node lost mid-run ends alone, marked failed; the others go on to the end', async () => {
    const { frames, stopped, afterKill } = await runAndLoseOne({
      nodes: readAgentsFile(agentsFile),
      source: SOURCE,
      durationSec: 6,
      victim: 'node2',
      kill: () => agents[1]!.stop('SIGKILL'),
    });
    expect(stopped.nodes!.map((n) => [n.node, n.reason])).toEqual([
      ['node1', 'timeout'],
      ['node2', 'disconnect'],
      ['node3', 'timeout'],
    ]);
    expect(stopped.nodes![1]!.message).toMatch(/lost node2 .*the other nodes go on/);
    expect(stopped.reason).toBe('error');
    // The stream said so for node2 itself, and the others kept printing after it was gone.
    expect(frames.some((f) => f.type === 'stopped' && f.node === 'node2' && f.reason === 'disconnect')).toBe(true);
    expect(afterKill).toBeGreaterThan(0);
    agents[1] = await start(2, agents[1]);
  });

  it('an agent without --accept-objects refuses a shipped object and says how to allow it', async () => {
    const frames: NodeFrame[] = [];
    const third = readAgentsFile(agentsFile)[2]!;
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(third.url, { headers: { authorization: `Bearer ${third.token}` } });
    const stopped = await new Promise<NodeFrame>((resolve) => {
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString()) as NodeFrame;
        frames.push(m);
        if (m.type === 'hello')
          ws.send(
            JSON.stringify({
              type: 'run',
              runId: 'shipped',
              snippet: { files: [{ name: 'fan.bpf.c', content: SOURCE }] },
              object: Buffer.from('\x7fELF not really').toString('base64'),
            }),
          );
        if (m.type === 'stopped') resolve(m);
      });
    });
    ws.close();
    expect(stopped).toMatchObject({ reason: 'refused', message: expect.stringMatching(/--accept-objects/) });
  });
});

describe('TLS between the web app (or CLI) and an agent', () => {
  it('an agent with --tls-cert/--tls-key is reached over wss with the CA the operator gives, and refused without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-tls-'));
    const [cert, key] = [join(dir, 'agent.pem'), join(dir, 'agent.key')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=bpfplay-agent',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const tlsAgent = await startAgentProcess(['--tls-cert', cert, '--tls-key', key, '--accept-objects'], {
      BPFPLAY_NODE_NAME: 'host-tls',
    });
    try {
      expect(tlsAgent.url).toMatch(/^https:/);
      const ca = readFileSync(cert, 'utf8');
      const file = join(dir, 'agents.txt');
      writeFileSync(
        file,
        `${tlsAgent.wsUrl} ${tlsAgent.token} tls-node\n${agents[0]!.wsUrl} ${agents[0]!.token} node1\n`,
        {
          mode: 0o600,
        },
      );
      expect(tlsAgent.wsUrl).toMatch(/^wss:/);
      const trusted = new NodeRegistry({ sources: [() => readAgentsFile(file, { ca })], timeoutMs: 10_000 });
      await trusted.refresh();
      expect(trusted.nodes()[0]).toMatchObject({ name: 'tls-node', health: 'up', hostname: 'host-tls' });
      const untrusted = new NodeRegistry({ sources: [() => readAgentsFile(file)], timeoutMs: 10_000 });
      await untrusted.refresh();
      expect(untrusted.nodes()[0]).toMatchObject({
        health: 'down',
        error: expect.stringMatching(/self[- ]signed|certificate/i),
      });

      const run = await runCli(
        writeSnippet({ 'fan.bpf.c': SOURCE }),
        ['--agents', file, '--duration', '1'],
        undefined,
        {
          BPFPLAY_AGENTS_CA: cert,
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(
        ofType(run.messages, 'stopped')
          .at(-1)!
          .nodes!.map((n) => [n.node, n.reason]),
      ).toEqual([
        ['tls-node', 'timeout'],
        ['node1', 'timeout'],
      ]);
    } finally {
      await tlsAgent.stop();
    }
  });
});
