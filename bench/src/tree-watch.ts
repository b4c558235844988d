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
 * memory, both from /proc/<pid>/stat — read each sample for the tree's processes only (new pids
 * once, to learn their parent): the bench shares the two cores with what it measures. Processes come and go (a clang per compile), so the tree is sampled
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
  // Processes seen outside the tree: their stat is not read again while their pid stays listed
  // (a process never joins another's tree; a pid that leaves /proc and comes back is read again).
  // Reading every process's stat every tick cost ~70 ms of CPU a second on the cores being measured.
  const outside = new Set<number>();
  const inside = new Set<number>([root]);
  const sample = () => {
    const stats = new Map<number, { ppid: number; comm: string; cpu: number; rss: number; key: string }>();
    const listed = new Set<number>();
    const read = (pid: number) => {
      try {
        const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command may contain spaces and parentheses; the fields after the last ')' do not.
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        stats.set(pid, {
          ppid: Number(f[1]),
          comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')),
          cpu: (Number(f[11]) + Number(f[12])) / TICK,
          rss: Number(f[21]) * PAGE,
          key: `${pid}:${f[19]}`,
        });
      } catch {
        // ended while we looked
      }
    };
    const fresh: number[] = [];
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const pid = Number(d);
      listed.add(pid);
      if (inside.has(pid)) read(pid);
      else if (!outside.has(pid)) fresh.push(pid);
    }
    for (const pid of outside) if (!listed.has(pid)) outside.delete(pid);
    for (const pid of inside) if (!listed.has(pid)) inside.delete(pid);
    // New processes in pid order: a child is usually listed after its parent.
    fresh.sort((a, b) => a - b);
    for (const pid of fresh) read(pid);
    const isInside = (pid: number): boolean => {
      const seenPids = new Set<number>();
      for (let p = pid; p > 1 && !seenPids.has(p); p = stats.get(p)?.ppid ?? 0) {
        if (inside.has(p) || p === root) return true;
        seenPids.add(p);
        if (!stats.has(p)) return false;
      }
      return false;
    };
    for (const pid of fresh) {
      if (!stats.has(pid)) continue;
      if (isInside(pid)) inside.add(pid);
      else outside.add(pid);
    }
    let bytes = 0;
    let processes = 0;
    for (const pid of inside) {
      const st = stats.get(pid);
      if (!st) continue;
      // The kind by the latest name: a forked child is called `node` until it execs bwrap.
      seen.set(st.key, { kind: kindOf(pid, st.comm, st.key), cpu: st.cpu });
      bytes += st.rss;
      processes++;
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
