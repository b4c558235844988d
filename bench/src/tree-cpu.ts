import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

interface Seen {
  kind: string;
  cpu: number;
}

/**
 * CPU seconds used by the agent's process tree while it is watched, by kind of process: the agent
 * itself, its runner processes, the compilers and their sandboxes, and anything else it started.
 * Processes come and go (a runner per run, a clang per compile), so the tree is sampled every
 * `everyMs` and each process's last sample counts; what one used between its last sample and its
 * exit is missed (at most `everyMs` of CPU each). On a shared machine, CPU time is steadier than
 * wall time: it says where the work is, whoever else is running.
 */
/** The agent's sandbox spawner (apps/agent/src/compile/spawner-main.ts) is a Node process too. */
function isSpawner(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('spawner.js');
  } catch {
    return false;
  }
}

export function watchTreeCpu(root: number, everyMs = 50): () => Map<string, number> {
  // By pid and start time: a pid may be reused by a later process of the tree.
  const seen = new Map<string, Seen>();
  const start = new Map<string, number>();
  const kindOf = (pid: number, comm: string): string => {
    if (pid === root) return 'agent';
    if (comm === 'node' || comm.startsWith('MainThread')) return isSpawner(pid) ? 'spawner' : 'runners';
    if (/^(clang|bwrap|prlimit)/.test(comm)) return 'compile (clang, bwrap)';
    return `other (${comm})`;
  };
  const sample = () => {
    const kids = new Map<number, number[]>();
    const stats = new Map<number, { comm: string; cpu: number; key: string }>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const s = readFileSync(`/proc/${d}/stat`, 'utf8');
        const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        const ppid = Number(f[1]);
        stats.set(Number(d), { comm, cpu: (Number(f[11]) + Number(f[12])) / TICK, key: `${d}:${f[19]}` });
        kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
      } catch {
        // ended while we looked
      }
    }
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      const st = stats.get(pid);
      if (st) {
        // The kind by the latest name: a forked child is called `node` until it execs bwrap.
        seen.set(st.key, { kind: kindOf(pid, st.comm), cpu: st.cpu });
      }
      stack.push(...(kids.get(pid) ?? []));
    }
  };
  sample();
  // Processes alive at the start (the agent, warm runners, the waiting clang) count from now.
  for (const [key, s] of seen) start.set(key, s.cpu);
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    const out = new Map<string, number>();
    for (const [key, s] of seen) out.set(s.kind, (out.get(s.kind) ?? 0) + s.cpu - (start.get(key) ?? 0));
    return out;
  };
}
