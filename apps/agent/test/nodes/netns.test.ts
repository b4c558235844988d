import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry, readAgentsFile } from '@bpfplay/nodes';
import { CLI, REPO } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { requireKernel, uniqueName } from '../harness/kernel.js';

/**
 * Three nodes as far as one machine allows: each agent in its own network namespace with its own
 * address, reached over a veth pair this test makes (198.18.0.0/15 is the range set aside for
 * such test networks). One kernel under all three still: per-node CO-RE differences cannot show.
 */
const tag = randomBytes(2).toString('hex');
const octet = 16 + (parseInt(tag, 16) % 200);
const fn = uniqueName('ns');
const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int ${fn}(void *ctx)
{
	bpf_printk("exec by %d", (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

interface NsAgent {
  ns: string;
  url: string;
  token: string;
  child: ChildProcess;
}
const nodes: NsAgent[] = [];
let agentsFile = '';
let execs: ChildProcess | undefined;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

function startInNamespace(i: number): Promise<NsAgent> {
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
  const token = randomBytes(16).toString('hex');
  const child = spawn(
    // nsenter, not `ip netns exec`: that one mounts a fresh /sys for the namespace, and the agent
    // would find no tracefs at /sys/kernel/tracing (measured: every tracepoint probe fails, ENOENT).
    'nsenter',
    [
      `--net=/run/netns/${ns}`,
      '--',
      process.execPath,
      CLI,
      'agent',
      '--host',
      inside,
      '--port',
      '0',
      '--accept-objects',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        BPFPLAY_TOKEN: token,
        BPFPLAY_NODE_NAME: `ns-${i}`,
        BPFPLAY_DATA_DIR: process.env.BPFPLAY_DATA_DIR ?? join(REPO, 'var'),
      },
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent in ${ns} did not start in 90 s:\n${out}`)), 90_000);
    const check = (d: Buffer) => {
      out += d;
      const m = /listening on http:\/\/([^\s]+)\/ws/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ ns, url: `ws://${m[1]}/ws`, token, child });
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => reject(new Error(`agent in ${ns} exited with ${code}:\n${out}`)));
  });
}

const stop = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });

beforeAll(async () => {
  requireKernel();
  for (const i of [1, 2, 3]) nodes.push(await startInNamespace(i));
  agentsFile = join(mkdtempSync(join(tmpdir(), 'bpfplay-netns-')), 'agents.txt');
  writeFileSync(agentsFile, nodes.map((n, i) => `${n.url} ${n.token} node${i + 1}\n`).join(''), { mode: 0o600 });
  execs = spawn('sh', ['-c', 'while :; do /bin/true; sleep 0.1; done'], { stdio: 'ignore' });
}, 300_000);

afterAll(async () => {
  execs?.kill();
  await Promise.all(nodes.map((n) => stop(n.child)));
  for (const n of nodes) {
    try {
      ip('netns', 'delete', n.ns); // takes the veth pair with it
    } catch {
      // already gone
    }
  }
});

describe('three agents, each in its own network namespace', () => {
  it('a fan-out run returns records from all three, labelled; the registry marks a stopped one down', async () => {
    expect(new Set(nodes.map((n) => new URL(n.url).hostname)).size).toBe(3);
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
    await stop(nodes[2]!.child);
    await registry.refresh();
    expect(registry.nodes().map((n) => n.health)).toEqual(['up', 'up', 'down']);
  });
});
