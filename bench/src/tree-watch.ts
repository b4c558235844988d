import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s
const PAGE = 4096; // /proc/<pid>/stat's rss is in pages (the same counter as VmRSS)

/** The agent's sandbox spawner (apps/agent/src/compile/spawner-main.ts) is a Node process too. */
function isSpawner(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('spawner.js');
  } catch {
    return false;
  }
}

export interface TreeWatch {
  /** CPU seconds used while watched, by kind: agent, runners, spawner, compile (clang, bwrap), other (comm). */
  cpu: Map<string, number>;
  /** Largest sum of resident memory over the tree seen in one sample, and the most processes. */
  peakBytes: number;
  peakProcesses: number;
}

/**
 * Watches the agent's process tree: CPU seconds by kind of process (the agent itself, its runner
 * processes, the compilers and their sandboxes, anything else it started) and its peak resident
 * memory, both from one read of every /proc/<pid>/stat per sample — the bench shares the two cores
 * with what it measures, and two scans every 50 ms (the former RSS and CPU watchers) cost it ~0.02 s
 * of CPU per run in figure 4. Processes come and go (a clang per compile), so the tree is sampled
 * every `everyMs` and each process's last sample counts; what one used between its last sample and
 * its exit is missed (at most `everyMs` of CPU each). On a shared machine, CPU time is steadier
 * than wall time: it says where the work is, whoever else is running.
 */
export function watchTree(root: number, everyMs = 50): () => TreeWatch {
  // By pid and start time: a pid may be reused by a later process of the tree.
  const seen = new Map<string, { kind: string; cpu: number }>();
  const start = new Map<string, number>();
  const spawners = new Map<string, boolean>();
  let peakBytes = 0;
  let peakProcesses = 0;
  const kindOf = (pid: number, comm: string, key: string): string => {
    if (pid === root) return 'agent';
    if (comm === 'node' || comm.startsWith('MainThread')) {
      let s = spawners.get(key);
      if (s === undefined) spawners.set(key, (s = isSpawner(pid)));
      return s ? 'spawner' : 'runners';
    }
    if (/^(clang|bwrap|prlimit|setpriv)/.test(comm)) return 'compile (clang, bwrap)';
    return `other (${comm})`;
  };
  const sample = () => {
    const kids = new Map<number, number[]>();
    const stats = new Map<number, { comm: string; cpu: number; rss: number; key: string }>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const s = readFileSync(`/proc/${d}/stat`, 'utf8');
        // The command may contain spaces and parentheses; the fields after the last ')' do not.
        const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        const ppid = Number(f[1]);
        stats.set(Number(d), {
          comm,
          cpu: (Number(f[11]) + Number(f[12])) / TICK,
          rss: Number(f[21]) * PAGE,
          key: `${d}:${f[19]}`,
        });
        const list = kids.get(ppid);
        if (list) list.push(Number(d));
        else kids.set(ppid, [Number(d)]);
      } catch {
        // ended while we looked
      }
    }
    let bytes = 0;
    let processes = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      const st = stats.get(pid);
      if (st) {
        // The kind by the latest name: a forked child is called `node` until it execs bwrap.
        seen.set(st.key, { kind: kindOf(pid, st.comm, st.key), cpu: st.cpu });
        bytes += st.rss;
        processes++;
      }
      const k = kids.get(pid);
      if (k) stack.push(...k);
    }
    if (bytes > peakBytes) peakBytes = bytes;
    if (processes > peakProcesses) peakProcesses = processes;
  };
  sample();
  // Processes alive at the start (the agent, warm runners, the waiting clang) count from now.
  for (const [key, s] of seen) start.set(key, s.cpu);
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    const cpu = new Map<string, number>();
    for (const [key, s] of seen) cpu.set(s.kind, (cpu.get(s.kind) ?? 0) + s.cpu - (start.get(key) ?? 0));
    return { cpu, peakBytes, peakProcesses };
  };
}
