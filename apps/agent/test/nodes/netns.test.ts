import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry, readAgentsFile } from '@bpfplay/nodes';
import { startAgentProcess, type AgentProcess } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { requireKernel, uniqueName } from '../harness/kernel.js';
import { execPrintk, runAndLoseOne, startExecLoop } from './exec-printk.js';

/**
 * Three nodes as far as one machine allows: each agent in its own network namespace with its own
 * address, reached over a veth pair this test makes (198.18.0.0/15 is the range set aside for
 * such test networks). One kernel under all three still: per-node CO-RE differences cannot show.
 */
const tag = randomBytes(2).toString('hex');
const octet = 16 + (parseInt(tag, 16) % 200);
const fn = uniqueName('ns');
const SOURCE = execPrintk(fn);

interface NsAgent {
  ns: string;
  /** The agent's address inside its namespace. */
  inside: string;
  agent: AgentProcess;
}
const nodes: NsAgent[] = [];
let agentsFile = '';
let execs: ChildProcess | undefined;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Agent i in its namespace; a restart (`again`) keeps its port and token (the token by environment). */
function startAgentIn(ns: string, inside: string, i: number, again?: AgentProcess): Promise<AgentProcess> {
  return startAgentProcess(
    ['--host', inside, '--accept-objects', ...(again ? ['--port', new URL(again.url).port] : [])],
    { BPFPLAY_NODE_NAME: `ns-${i}`, ...(again ? { BPFPLAY_TOKEN: again.token } : {}) },
    90_000,
    // nsenter, not `ip netns exec`: that one mounts a fresh /sys for the namespace, and the agent
    // would find no tracefs at /sys/kernel/tracing (measured: every tracepoint probe fails, ENOENT).
    ['nsenter', `--net=/run/netns/${ns}`, '--'],
  );
}

async function startInNamespace(i: number): Promise<NsAgent> {
  const ns = `bpfplay-n19-${tag}-${i}`;
  const [host, inside] = [`198.18.${octet}.${i * 4 + 1}`, `198.18.${octet}.${i * 4 + 2}`];
  ip('netns', 'add', ns);
  ip('link', 'add', `n19${tag}h${i}`, 'type', 'veth', 'peer', 'name', `n19${tag}n${i}`);
  ip('link', 'set', `n19${tag}n${i}`, 'netns', ns);
  ip('addr', 'add', `${host}/30`, 'dev', `n19${tag}h${i}`);
  ip('link', 'set', `n19${tag}h${i}`, 'up');
  ip('-n', ns, 'addr', 'add', `${inside}/30`, 'dev', `n19${tag}n${i}`);
  ip('-n', ns, 'link', 'set', `n19${tag}n${i}`, 'up');
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  return { ns, inside, agent: await startAgentIn(ns, inside, i) };
}

beforeAll(async () => {
  requireKernel();
  for (const i of [1, 2, 3]) nodes.push(await startInNamespace(i));
  agentsFile = join(mkdtempSync(join(tmpdir(), 'bpfplay-netns-')), 'agents.txt');
  writeFileSync(agentsFile, nodes.map((n, i) => `${n.agent.wsUrl} ${n.agent.token} node${i + 1}\n`).join(''), {
    mode: 0o600,
  });
  execs = startExecLoop();
}, 300_000);

afterAll(async () => {
  execs?.kill();
  await Promise.all(nodes.map((n) => n.agent.stop()));
  for (const n of nodes) {
    try {
      ip('netns', 'delete', n.ns); // takes the veth pair with it
    } catch {
      // already gone
    }
  }
});

describe('three agents, each in its own network namespace', () => {
  it('a fan-out run returns records from all three, labelled; one killed mid-run fails alone; the registry marks it down, then up again', async () => {
    expect(new Set(nodes.map((n) => new URL(n.agent.url).hostname)).size).toBe(3);
    const run = await runCli(writeSnippet({ 'ns.bpf.c': SOURCE }), ['--agents', agentsFile, '--duration', '2']);
    const outcome = JSON.stringify(ofType(run.messages, 'stopped').at(-1)?.nodes);
    expect(run.code, `${run.stderr} ${outcome}`).toBe(0);
    const printk = ofType(run.messages, 'printk');
    for (const node of ['node1', 'node2', 'node3'])
      expect(
        printk.some((p) => p.node === node),
        node,
      ).toBe(true);
    expect(ofType(run.messages, 'compiled').filter((c) => c.cache === 'shipped')).toHaveLength(2);

    const registry = new NodeRegistry({ sources: [() => readAgentsFile(agentsFile)], timeoutMs: 10_000 });
    await registry.refresh();
    expect(registry.nodes().map((n) => [n.health, n.hostname])).toEqual([
      ['up', 'ns-1'],
      ['up', 'ns-2'],
      ['up', 'ns-3'],
    ]);
    // Killed mid-run: that node fails, the others go on printing to the end.
    const { stopped, afterKill } = await runAndLoseOne({
      nodes: readAgentsFile(agentsFile),
      source: SOURCE,
      durationSec: 6,
      victim: 'node3',
      kill: () => nodes[2]!.agent.stop('SIGKILL'),
    });
    expect(stopped.nodes!.map((n) => [n.node, n.reason])).toEqual([
      ['node1', 'timeout'],
      ['node2', 'timeout'],
      ['node3', 'disconnect'],
    ]);
    expect(afterKill).toBeGreaterThan(0);
    await registry.refresh();
    expect(registry.nodes().map((n) => n.health)).toEqual(['up', 'up', 'down']);
    // Restarted in its namespace on the same address: up again.
    const n3 = nodes[2]!;
    n3.agent = await startAgentIn(n3.ns, n3.inside, 3, n3.agent);
    await registry.refresh();
    expect(registry.nodes().map((n) => n.health)).toEqual(['up', 'up', 'up']);
  }, 180_000);
});
