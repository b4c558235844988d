/**
 * Running snippets against an agent over the WebSocket, as the web app does, and measuring the
 * agent's process tree (RSS, programs it holds) while it works.
 */
import { readFileSync } from 'node:fs';
import type { RunOptions, ServerMessage } from '@bpfplay/protocol';
import { heldProgramIds, processTree } from '../examples/leftovers.js';
import type { TestClient } from '../harness/ws-client.js';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export interface RunOutcome {
  messages: ServerMessage[];
  stopped?: Of<'stopped'>;
  error?: Of<'error'>;
  refused?: Of<'refused'>;
  compiled?: Of<'compiled'>;
  /** Milliseconds from sending `run` to the `running` status, when it got there. */
  toRunningMs?: number;
  totalMs: number;
}

const forRun = (runId: string) => (m: ServerMessage) => (m as { runId?: string }).runId === runId;

/**
 * Send one run and wait for its end: the `stopped` frame, or an `error` frame for the run (a
 * refused message). `onRunning` fires once the probes are attached.
 */
export async function runOnce(
  c: TestClient,
  runId: string,
  files: Record<string, string>,
  opts: { options?: RunOptions; timeoutMs?: number; onRunning?: () => void } = {},
): Promise<RunOutcome> {
  const t0 = performance.now();
  let toRunningMs: number | undefined;
  const running = c
    .waitFor((m) => forRun(runId)(m) && m.type === 'status' && m.state === 'running', opts.timeoutMs ?? 120_000)
    .then(() => {
      toRunningMs = performance.now() - t0;
      opts.onRunning?.();
    })
    .catch(() => undefined);
  c.send({
    type: 'run',
    runId,
    snippet: { files: Object.entries(files).map(([name, content]) => ({ name, content })) },
    ...(opts.options ? { options: opts.options } : {}),
  });
  let end: ServerMessage | undefined;
  try {
    end = await c.waitFor(
      (m) => forRun(runId)(m) && (m.type === 'stopped' || m.type === 'error'),
      opts.timeoutMs ?? 120_000,
    );
  } catch {
    end = undefined;
  }
  if (end?.type === 'stopped') await Promise.race([running, Promise.resolve()]);
  const messages = c.messages.filter(forRun(runId));
  const find = <T extends ServerMessage['type']>(type: T) => messages.find((m): m is Of<T> => m.type === type);
  return {
    messages,
    ...(end?.type === 'stopped' ? { stopped: end } : {}),
    ...(end?.type === 'error' ? { error: end } : {}),
    ...(find('refused') ? { refused: find('refused')! } : {}),
    ...(find('compiled') ? { compiled: find('compiled')! } : {}),
    ...(toRunningMs !== undefined ? { toRunningMs } : {}),
    totalMs: performance.now() - t0,
  };
}

/** Resident memory of a process, bytes (0 once it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the RSS of the agent and of its whole process tree (runners, compilers) until stopped. */
export function watchMemory(
  agentPid: number,
  everyMs = 200,
): { stop(): { agentPeak: number; treePeak: number; treeAvg: number } } {
  let agentPeak = 0;
  let treePeak = 0;
  let sum = 0;
  let n = 0;
  const sample = () => {
    agentPeak = Math.max(agentPeak, rssBytes(agentPid));
    const tree = processTree(agentPid).reduce((t, pid) => t + rssBytes(pid), 0);
    treePeak = Math.max(treePeak, tree);
    sum += tree;
    n++;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { agentPeak, treePeak, treeAvg: n ? sum / n : 0 };
    },
  };
}

/**
 * Programs the agent's processes still hold. Runners exit when their run ends, so with no run active
 * this must be empty; the kernel frees a program shortly after its last fd, hence the polling.
 */
export async function programsHeldByAgent(agentPid: number, timeoutMs = 5000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const held = [...heldProgramIds(processTree(agentPid))];
    if (held.length === 0 || Date.now() > until) return held;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const MiB = 1 << 20;
