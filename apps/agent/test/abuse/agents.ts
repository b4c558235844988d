/**
 * Agents for the abuse suite: real `bpfplay agent` processes with an operator policy file, the way
 * an operator would tighten a workshop machine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentInfo } from '@bpfplay/protocol';
import type { AgentProcess } from '../harness/agent-process.js';
import { startAgentProcess } from '../harness/agent-process.js';
import type { AbuseCase } from './cases.js';
import { runOnce } from './driver.js';
import type { Tally } from './summary.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { until } from '../harness/wait.js';

/**
 * Compile limits for bombs: tight enough that each ends in seconds, loose enough for real programs.
 * Measured: clang-19 with vmlinux.h needs ~500 MB of address space; 4096 programs compile in ~6 s
 * of CPU. The CPU limit is what stops a bomb; the wall clock only backs it up, and is generous
 * because on a loaded machine (load 16 on 2 cores) those 6 s of CPU took over 15 s of wall time.
 */
export const ABUSE_COMPILE = { wallMs: 60_000, cpuSeconds: 8, addressSpaceBytes: 640 << 20, fileSizeBytes: 32 << 20 };

export function writePolicy(policy: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-policy-'));
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify(policy, null, 2));
  return path;
}

export async function startPolicyAgent(
  policy: unknown,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<AgentProcess> {
  return startAgentProcess(['--policy', writePolicy(policy), ...extraArgs], env);
}

/**
 * Close a test file's tabs and forget them, returning once the agent counts none of them. The
 * session quotas count a tab until the agent sees it go, a moment after the client's close completes.
 */
export async function closeTabs(agent: AgentProcess, open: TestClient[]): Promise<void> {
  const closing = open.splice(0);
  for (const c of closing) c.close();
  await Promise.all(closing.map((c) => c.closed));
  await sessionsDownTo(agent, 0);
}

/** Resolves once the agent counts at most `n` open sessions (GET /api/info's load). */
export async function sessionsDownTo(agent: AgentProcess, n: number): Promise<void> {
  await until(`the agent counts at most ${n} sessions open`, async () => {
    const r = await fetch(`${agent.url}/api/info`, { headers: { authorization: `Bearer ${agent.token}` } });
    return (((await r.json()) as AgentInfo).load?.sessions ?? Infinity) <= n;
  });
}

/** True while the agent process lives and answers /healthz. */
export async function agentAlive(agent: AgentProcess): Promise<boolean> {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return false;
  try {
    return (await fetch(`${agent.url}/healthz`)).ok;
  } catch {
    return false;
  }
}

/**
 * Run every case over `parallel` sessions (the compile queue takes two at a time; more sessions
 * only keep it full) and record each verdict in the tally.
 */
export async function runCases(
  agent: AgentProcess,
  cases: AbuseCase[],
  tally: Tally,
  parallel = 3,
  log?: (line: string) => void,
): Promise<void> {
  const queue = cases.map((c, i) => ({ c, i }));
  const clients: TestClient[] = [];
  const worker = async (w: number) => {
    const client = connect(agent.wsUrl, { token: agent.token });
    clients.push(client);
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { c, i } = next;
      const o = await runOnce(client, `case-${w}-${i}`, c.files, {
        ...(c.options ? { options: c.options } : {}),
        timeoutMs: 90_000,
      });
      const failure = c.check(o);
      tally.record(c.group, c.name, failure);
      log?.(
        `${failure === undefined ? 'ok  ' : 'FAIL'} ${c.group}: ${c.name}${failure ? ` — ${failure}` : ''} (${Math.round(o.totalMs)} ms)`,
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, (_, w) => worker(w)));
  for (const c of clients) c.close();
}
