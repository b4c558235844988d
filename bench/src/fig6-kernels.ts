import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '@bpfplay/protocol';
import { REPO } from '../../apps/agent/test/harness/agent-process.js';
import { listKernels, type GuestKernel } from '../../apps/agent/src/guest/kernels.js';
import { chooseMachine } from '../../apps/agent/src/guest/machine.js';
import { Guest } from '../../apps/agent/src/guest/qemu.js';
import { GUEST_LIMITS } from '../../apps/agent/src/guest/limits.js';
import { cpuSeconds, startBenchAgent } from './agent.js';
import { BenchClient, type Frame } from './client.js';
import { sleep, startLines } from './procs.js';
import { median, mib, ms, spread, targetRow } from './stats.js';
import type { Table } from './table.js';

/**
 * Figure 6: Run → first event per target of the kernel matrix, side by side with the host run in
 * the same bench: the host, a cold guest (the microVM boots for this run) and a warm guest (booted
 * ahead, waiting in the agent's pool). For the guests, where the time goes: boot (qemu start →
 * the loader's READY) against load (object sent → attached). Then how many guests a core carries:
 * k guests booted at once per core, and what a waiting warm guest costs.
 */
export interface KernelsFigureOptions {
  runs: number;
  /** The host's trigger (bench/native/trigger): execve ticks; guests make their own (guest/init). */
  trigger: string;
  /** The kernel of the matrix measured (default 6.1). */
  kernel?: string;
}

const HELLO = readFileSync(join(REPO, 'bpf/hello/hello.bpf.c'), 'utf8');

interface Trial {
  firstMs: number;
  /** sent → `running` (compiled, loaded, attached). */
  runningMs: number;
  /** The guest's own boot (qemu spawn → READY), from the run's log frame; NaN on the host. */
  bootMs: number;
  /** `loading` → `running`: object to the guest, libbpf + verifier + attach there. */
  loadMs: number;
  /** `booting` → `loading`: how long the run waited for its guest to be ready (0 for a warm one: no `booting`). */
  waitMs: number;
}

async function trial(client: BenchClient, id: string, source: string, targets?: string[]): Promise<Trial> {
  const t: Trial = { firstMs: NaN, runningMs: NaN, bootMs: NaN, loadMs: NaN, waitMs: NaN };
  let loadingAt = NaN;
  let bootingAt = NaN;
  let first!: (at: number) => void;
  let refused!: (e: Error) => void;
  const firstAt = new Promise<number>((res, rej) => {
    first = res;
    refused = rej;
  });
  const onFrame = (m: Frame, at: number) => {
    if (m.type === 'status' && m.state === 'booting') bootingAt = at;
    if (m.type === 'status' && m.state === 'loading') {
      loadingAt = at;
      // A run handed a booted guest goes straight to loading: it waited for no boot.
      t.waitMs = Number.isNaN(bootingAt) ? 0 : at - bootingAt;
    }
    if (m.type === 'status' && m.state === 'running') {
      t.runningMs = at - sentAt;
      t.loadMs = at - loadingAt;
    }
    if (m.type === 'log' && /guest: .* ready after (\d+) ms/.test(m.text))
      t.bootMs = Number(/ready after (\d+) ms/.exec(m.text)![1]);
    if (m.type === 'printk' && m.lines.length) first(at);
    // A run message the agent rejects gets an `error`, never a `stopped`: without this the trial waits forever.
    if (m.type === 'error') refused(new Error(`${id}: the agent refused the run: ${m.message}`));
  };
  const options: RunOptions = { durationSec: 60, ...(targets ? { targets } : {}) };
  const { sentAt, stopped } = client.run(id, { files: [{ name: 'hello.bpf.c', content: source }] }, options, onFrame);
  const at = await Promise.race([
    firstAt,
    stopped.then((s) => Promise.reject(new Error(`${id} stopped before its first line: ${s.message}`))),
  ]);
  t.firstMs = at - sentAt;
  client.stop(id);
  await stopped;
  return t;
}

/**
 * A guest's READY, or an error after `BOOT_BOUND_MS`: a guest that never boots (a hung kernel, qemu
 * stuck) must end the figure with a reason, not hold the bench forever. Generous on purpose: k guests
 * on a loaded machine are slow, and slowness is what is measured.
 */
const BOOT_BOUND_MS = 5 * GUEST_LIMITS.bootSeconds * 1000;
function readyWithin(g: Guest): Promise<Awaited<Guest['ready']>> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    g.ready,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`a ${g.kernel.name} guest did not boot within ${BOOT_BOUND_MS / 1000} s`)),
        BOOT_BOUND_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A kernel's name in a run id, which takes letters, digits, _ and - only (6.1 → 6_1). */
const runIdPart = (kernel: string) => kernel.replace(/[^A-Za-z0-9_-]/g, '_');

/** Boot `k` guests of one kernel at once; the time each takes to READY, then kill them. */
async function bootTogether(kernel: GuestKernel, k: number): Promise<number[]> {
  const machine = await chooseMachine(kernel);
  const guests = Array.from({ length: k }, () => new Guest(kernel, machine));
  try {
    return (await Promise.all(guests.map(readyWithin))).map((r) => r.bootMs);
  } finally {
    for (const g of guests) g.kill();
    await Promise.all(guests.map((g) => g.exited));
  }
}

/** A booted guest left waiting: its qemu's resident memory and CPU use over `seconds`. */
async function idleCost(kernel: GuestKernel, seconds: number): Promise<{ rssBytes: number; cpuShare: number }> {
  const machine = await chooseMachine(kernel);
  const g = new Guest(kernel, machine);
  try {
    await readyWithin(g);
    // setpriv execs qemu in place: the pid is qemu's.
    const c0 = cpuSeconds(g.pid!);
    await sleep(seconds * 1000);
    const cpuShare = (cpuSeconds(g.pid!) - c0) / seconds;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${g.pid}/status`, 'utf8'));
    return { rssBytes: rss ? Number(rss[1]) * 1024 : NaN, cpuShare };
  } finally {
    g.kill();
    await g.exited;
  }
}

export async function kernelsFigure(o: KernelsFigureOptions): Promise<Table> {
  const name = o.kernel ?? '6.1';
  const kernel = listKernels().find((k) => k.name === name);
  if (!kernel)
    throw new Error(
      `no ${name} kernel with a guest: run scripts/setup.sh (scripts/kernels.sh, apps/agent/guest/build.sh)`,
    );
  const ticker = startLines(o.trigger, ['execve', '1000']);
  const host: Trial[] = [];
  const cold: Trial[] = [];
  const warm: Trial[] = [];
  // One agent, started without --warm-guests: its pool holds no guest of a kernel until a run on
  // that kernel asks for one. So the first run on each kernel is cold, and (once the pool's guest
  // it started has booted) the second is warm: a cold sample per kernel of the matrix.
  const kernels = listKernels().slice(0, Math.max(1, o.runs));
  const agent = await startBenchAgent();
  const client = await BenchClient.open(agent.wsUrl, agent.token);
  try {
    const source = `// bench fig6 ${Date.now()}\n${HELLO}`;
    await trial(client, 'compile', source); // the object cached: every row below is Run, not clang
    for (const [i, k] of kernels.entries()) {
      host.push(await trial(client, `host-${i}`, source));
      cold.push(await trial(client, `cold-${runIdPart(k.name)}`, source, [k.name]));
      await agent.waitForOutput(new RegExp(`warm guest ${k.name.replace('.', '\\.')} ready`), 180_000);
      warm.push(await trial(client, `warm-${runIdPart(k.name)}`, source, [k.name]));
      process.stderr.write('.');
    }
  } finally {
    process.stderr.write('\n');
    client.close();
    await agent.close();
    ticker.child.kill('SIGKILL');
  }
  const together: Record<number, number[]> = {};
  for (const k of [1, 2, 4]) together[k] = await bootTogether(kernel, k);
  const idle = await idleCost(kernel, 5);
  const hostMed = median(host.map((t) => t.firstMs));
  /** Boot (the wait for the guest's READY) and load (loading → running) as shares of Run → first event. */
  const share = (ts: Trial[]) => {
    const first = median(ts.map((t) => t.firstMs));
    const wait = median(ts.map((t) => t.waitMs));
    const load = median(ts.map((t) => t.loadMs));
    const pct = (x: number) => `${((100 * x) / first).toFixed(0)}%`;
    return `boot wait ${ms(wait)} (${pct(wait)}; guest booted in ${ms(median(ts.map((t) => t.bootMs)))}), load ${ms(load)} (${pct(load)})`;
  };
  const cores = Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 1);
  const accel = (await chooseMachine(kernel)).why;
  return {
    title: `Figure 6 — Run → first event per target (hello printk; the host, and microVMs of ${kernels.map((k) => k.name).join(', ')})`,
    head: ['measurement', 'median (min–max, n)', 'vs host', 'target', 'met', 'where the time goes'],
    rows: [
      [
        'host (same object, cached)',
        spread(
          host.map((t) => t.firstMs),
          ms,
        ),
        '1.00×',
        'reference',
        '',
        '',
      ],
      ...(
        [
          ['cold guest (boots for the run; one per kernel)', cold, { label: '≤ 3 s', maxMs: 3000 }],
          ['warm guest (booted ahead, from the pool; one per kernel)', warm, { label: '≤ 0.5 s', maxMs: 500 }],
        ] as const
      ).map(([name, ts, target]) =>
        targetRow(
          name,
          ts.map((t) => t.firstMs),
          hostMed,
          target,
          share(ts),
        ),
      ),
      ...[1, 2, 4].map((k) => [
        `${k} ${name} guest${k > 1 ? 's' : ''} booting at once (${(k / cores).toFixed(1)} per core)`,
        spread(together[k]!, ms),
        '',
        'guests per core',
        '',
        'qemu spawn → loader READY, each',
      ]),
      [
        `one warm ${name} guest waiting`,
        `${mib(idle.rssBytes)} resident, ${(idle.cpuShare * 100).toFixed(1)}% of a core`,
        '',
        'pool bound',
        '',
        `the pool keeps ${GUEST_LIMITS.warmPerKernel} per kernel, within half the free memory`,
      ],
    ],
    notes: [
      `guests run under ${accel}; ${cores} cores; one agent, started with an empty pool; the object compiled once, then per kernel: a host run, the first run on that kernel (cold), and once the guest that run put in the pool has booted, a second (warm)`,
      "time is from the `run` message to the first printk frame with a line; in the guest the program sees the guest's own activity (guest/init: a process and file reads five times a second), on the host a process calling execve every 1 ms",
      "boot wait: the run's `booting` → `loading` statuses (0 when the guest was booted ahead: that run has no `booting`); guest booted in: qemu spawn → the guest loader's READY, from the run's log frame (for a warm guest, long before Run); load: `loading` → `running` (object sent, libbpf + verifier + attach in the guest)",
      'for comparison only (published, not measured here): virtme-ng boots a kernel to a shell in ~0.9 s with KVM; Firecracker boots a microVM in 40–50 ms with KVM',
    ],
  };
}
