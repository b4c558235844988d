/**
 * Runner processes shared between runs (runner/pool.ts, --runs-per-runner): on the real kernel,
 * runs really share a process, and sharing keeps the guarantees a process per run gave —
 * a run that ends closes its programs, maps and links while its process goes on serving others;
 * a runner that crashes ends only the runs it hosted, each told why; the pool goes on after it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { head } from '../agent/programs.js';
import { heldBpf, heldProgramIds, processTree } from '../examples/leftovers.js';
import { RUNNER_SHARING } from '../../src/limits.js';

// An agent that trusts extra CA certificates, as on machines behind a TLS proxy: its runners must not
// pay for parsing them (runner/process.ts runnerEnv).
const agent = useSharedAgent(['--runs-per-runner', '2'], {
  NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt',
});

interface Run {
  client: TestClient;
  runId: string;
  prog: string;
  map: string;
}

/** A counter map and a program of unique names: both findable with bpftool. */
function counter(prog: string, map: string): string {
  return `${head}
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } ${map} SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getppid")
int ${prog}(void *ctx)
{
	u32 k = 0;
	u64 one = 1, *v = bpf_map_lookup_elem(&${map}, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&${map}, &k, &one, BPF_ANY);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
}

async function start(tag: string): Promise<Run> {
  const client = connect(agent.wsUrl, { token: agent.token });
  const r = { client, runId: `run-${tag}`, prog: uniqueName(`t_sh${tag}`), map: uniqueName(`m_sh${tag}`) };
  client.send({
    type: 'run',
    runId: r.runId,
    snippet: { files: [{ name: 'counter.bpf.c', content: counter(r.prog, r.map) }] },
    options: { durationSec: 120 },
  });
  await client.waitFor((m) => m.type === 'status' && m.state === 'running', 60_000);
  return r;
}

const stoppedOf = (r: Run) =>
  r.client.waitFor(
    (m): m is Extract<ServerMessage, { type: 'stopped' }> => m.type === 'stopped' && m.runId === r.runId,
    30_000,
  );

function kernelIds(kind: 'prog' | 'map', name: string): number[] {
  const all = JSON.parse(execFileSync('bpftool', [kind, 'show', '-j'], { maxBuffer: 64 << 20 }).toString()) as {
    id: number;
    name?: string;
  }[];
  return all.filter((x) => x.name === name.slice(0, 15)).map((x) => x.id);
}

/** The runner process (a child of the agent) holding the run's program. */
function hostOf(r: Run): number {
  const [id] = kernelIds('prog', r.prog);
  const pids = processTree(agent.child.pid!).filter((p) => p !== agent.child.pid && heldProgramIds([p]).has(id!));
  expect(pids, `exactly one runner holds ${r.prog}`).toHaveLength(1);
  return pids[0]!;
}

async function waitGone(kind: 'prog' | 'map', name: string): Promise<number[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const ids = kernelIds(kind, name);
    if (!ids.length || Date.now() > until) return ids;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('runner processes shared by runs (--runs-per-runner 2)', () => {
  it('two runs share a process; one ending closes its own objects only; a crash ends only its runs', async () => {
    const runs = [];
    for (const tag of ['a', 'b', 'c']) runs.push(await start(tag));
    const hosts = runs.map(hostOf);
    // Three runs, two to a process: one process hosts two of them, another the third.
    const counts = new Map<number, Run[]>();
    runs.forEach((r, i) => counts.set(hosts[i]!, [...(counts.get(hosts[i]!) ?? []), r]));
    expect([...counts.values()].map((x) => x.length).sort()).toEqual([1, 2]);
    const [pairPid, pair] = [...counts.entries()].find(([, x]) => x.length === 2)!;
    const alone = [...counts.values()].find((x) => x.length === 1)![0]!;
    const [ending, staying] = pair;

    // One run of the pair ends: its program and map leave the kernel while its process lives on.
    ending!.client.send({ type: 'stop', runId: ending!.runId });
    expect((await stoppedOf(ending!)).reason).toBe('user');
    expect(await waitGone('prog', ending!.prog)).toEqual([]);
    expect(await waitGone('map', ending!.map)).toEqual([]);
    expect(processTree(agent.child.pid!)).toContain(pairPid);
    expect(hostOf(staying!)).toBe(pairPid);
    expect(kernelIds('map', staying!.map)).toHaveLength(1);

    // The shared process crashes: its run ends as crashed; the run in the other process goes on.
    process.kill(pairPid, 'SIGKILL');
    const crashed = await stoppedOf(staying!);
    expect(crashed.reason).toBe('runner-crash');
    expect(crashed.message).toMatch(/runner process ended unexpectedly/);
    expect(await waitNoPrograms(staying!.prog)).toEqual([]);
    expect(alone.client.messages.some((m) => m.type === 'stopped')).toBe(false);
    expect(kernelIds('prog', alone.prog)).toHaveLength(1);

    // The pool goes on: a new run starts, and everything stops cleanly.
    const after = await start('d');
    for (const r of [alone, after]) r.client.send({ type: 'stop', runId: r.runId });
    expect((await stoppedOf(alone)).reason).toBe('user');
    expect((await stoppedOf(after)).reason).toBe('user');
    for (const r of [...runs, after]) {
      expect(await waitGone('prog', r.prog)).toEqual([]);
      expect(await waitGone('map', r.map)).toEqual([]);
      r.client.close();
    }
    expect(heldBpf(processTree(agent.child.pid!))).toEqual({ programs: 0, maps: 0, links: 0 });
  });

  it("runners keep libbpf's BTF buffers in the heap between loads (glibc malloc settings), skip the agent's CA certificates and run niced", async () => {
    const r = await start('e');
    // Without them every load pages in a fresh copy of the kernel's BTF: 57–66 ms of CPU per
    // hello-world load here instead of 9–10 (runner/process.ts).
    // glibc parses GLIBC_TUNABLES in place at start, writing NULs over its ':' separators.
    const env = readFileSync(`/proc/${hostOf(r)}/environ`, 'utf8');
    expect(env).toContain(
      '\0GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432\0glibc.malloc.trim_threshold=67108864\0',
    );
    expect(readFileSync(`/proc/${agent.child.pid}/environ`, 'utf8')).toMatch(/(^|\0)NODE_EXTRA_CA_CERTS=/);
    expect(env).not.toContain('NODE_EXTRA_CA_CERTS');
    // Below the compiles on the CPU (RUNNER_SHARING.nice), every thread of it: Linux nice is per thread.
    const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    const threads = readdirSync(`/proc/${hostOf(r)}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads)
      expect(niceOf(readFileSync(`/proc/${hostOf(r)}/task/${tid}/stat`, 'utf8')), `thread ${tid}`).toBe(
        RUNNER_SHARING.nice,
      );
    r.client.send({ type: 'stop', runId: r.runId });
    expect((await stoppedOf(r)).reason).toBe('user');
    r.client.close();
  });
});
