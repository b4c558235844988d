import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgentProcess, type AgentProcess } from '../../apps/agent/test/harness/agent-process.js';

export interface BenchAgent extends AgentProcess {
  dataDir: string;
  close(): Promise<void>;
}

/**
 * An agent process of the bench's own, with a fresh data folder: its object cache starts empty,
 * so a "cold" run really compiles, and the bench never fills the developer's var/.
 */
export async function startBenchAgent(extraArgs: string[] = []): Promise<BenchAgent> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bpfplay-bench-'));
  const agent = await startAgentProcess(['--data-dir', dataDir, ...extraArgs], {}, 180_000);
  return {
    ...agent,
    dataDir,
    close: async () => {
      await agent.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function children(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // The command may contain spaces and parentheses; the fields after the last ')' do not.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(d));
      kids.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  return kids;
}

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** CPU seconds (user + system) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return NaN;
  }
}

/** CPU seconds of a process and its live descendants (the agent and its runner), by pid. */
export function treeCpu(root: number): Map<number, number> {
  const kids = children();
  const out = new Map<number, number>();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.set(pid, cpuSeconds(pid));
    stack.push(...(kids.get(pid) ?? []));
  }
  return out;
}

/** CPU used between two treeCpu samples, by processes alive in both. */
export function cpuBetween(a: Map<number, number>, b: Map<number, number>): number {
  let s = 0;
  for (const [pid, t] of b) {
    const t0 = a.get(pid);
    if (t0 !== undefined && Number.isFinite(t - t0)) s += t - t0;
  }
  return s;
}
