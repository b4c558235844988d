/**
 * `npx tsx src/cpu-per-run.ts [sessions=50] [rounds=1] [agent flags…]`: figure 4's burst (N sessions
 * press Run at once, each a distinct hello-world) against an agent started inside a cgroup-v1 cpuacct
 * group of its own, so the CPU seconds per run are exact (every process of the agent's tree,
 * short-lived ones included), with tree-cpu.ts's split beside them. CPU time is the steadier figure
 * on a machine others share; wall times are printed too. Needs root and /sys/fs/cgroup/cpuacct.
 */
import { mkdirSync, readFileSync, readFileSync as rf, rmSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, startAgentProcess } from '../../apps/agent/test/harness/agent-process.js';
import { BenchClient, type Frame } from './client.js';
import { watchTree } from './tree-watch.js';
import { percentile } from './stats.js';
import { sleep } from './procs.js';
import { processTree } from '../../apps/agent/test/examples/leftovers.js';

const N = Number(process.argv[2] ?? 50);
const ROUNDS = Number(process.argv[3] ?? 1);
const extra = process.argv.slice(4);
const HELLO = rf(join(REPO, 'bpf/hello/hello.bpf.c'), 'utf8');
const CG = `/sys/fs/cgroup/cpuacct/bpfplay-perf-${process.pid}`;
mkdirSync(CG);
const usage = () => Number(readFileSync(join(CG, 'cpuacct.usage'), 'utf8')) / 1e9;
const dataDir = mkdtempSync(join(tmpdir(), 'bpfplay-perfprobe-'));
const agent = await startAgentProcess(['--data-dir', dataDir, '--trust-proxy', '127.0.0.1', ...extra], {}, 180_000, [
  '/bin/sh',
  '-c',
  `echo $$ > ${CG}/cgroup.procs && n=$1 && shift && exec "$n" ${process.env.PROBE_NODE_FLAGS ?? ''} "$@"`,
  'sh',
]);
try {
  await sleep(6000);
  const i0 = usage();
  await sleep(3000);
  const idleRate = (usage() - i0) / 3;
  console.log(`idle agent tree: ${(idleRate * 1000).toFixed(1)} ms CPU/s; load ${rf('/proc/loadavg', 'utf8').trim()}`);
  for (let round = 0; round < ROUNDS; round++) {
    const clients = await Promise.all(
      Array.from({ length: N }, (_, i) => BenchClient.open(agent.wsUrl, agent.token, { clientId: `p-${round}-${i}` })),
    );
    const stopWatch = watchTree(agent.child.pid!);
    const u0 = usage();
    const b0 = process.cpuUsage();
    const t0 = performance.now();
    const attached: number[] = [];
    const compiled: number[] = [];
    await Promise.all(
      clients.map(
        (c, i) =>
          new Promise<void>((resolve, reject) => {
            let sent = 0;
            const r = c.run(
              `r-${round}-${i}`,
              { files: [{ name: 'hello.bpf.c', content: `// p ${Date.now()} ${round} ${i}\n${HELLO}` }] },
              { durationSec: 120 },
              (m: Frame, t: number) => {
                if (m.type === 'compiled') compiled.push(t - sent);
                if (m.type === 'attached') {
                  attached.push(t - sent);
                  resolve();
                }
              },
            );
            sent = r.sentAt;
            void r.stopped.then((s) => reject(new Error(s.message)));
          }),
      ),
    );
    const wall = (performance.now() - t0) / 1000;
    console.log(`pids: agent ${agent.child.pid} bench ${process.pid}; tree ${processTree(agent.child.pid!).join(',')}`);
    const u1 = usage();
    const bc = process.cpuUsage(b0);
    console.log(`bench process CPU ${((bc.user + bc.system) / 1e6).toFixed(2)} s`);
    const split = stopWatch().cpu;
    const total = u1 - u0;
    console.log(
      `round ${round}: ${N} runs, wall ${wall.toFixed(1)} s; cgroup CPU ${total.toFixed(2)} s = ${(total / N).toFixed(3)} s/run ` +
        `(minus idle ${((total - idleRate * wall) / N).toFixed(3)}); tree split per run: ` +
        [...split.entries()].map(([k, v]) => `${k} ${(v / N).toFixed(3)}`).join('; '),
    );
    console.log(
      `  compiled p50/p95 ${percentile(compiled, 50).toFixed(0)}/${percentile(compiled, 95).toFixed(0)} ms; attached p50/p95 ${percentile(attached, 50).toFixed(0)}/${percentile(attached, 95).toFixed(0)} ms; load ${rf('/proc/loadavg', 'utf8').trim()}`,
    );
    for (const c of clients) c.close();
    await sleep(4000);
  }
} finally {
  await agent.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await sleep(500);
  try {
    rmdirSync(CG);
  } catch (e) {
    console.error(`cgroup ${CG} not removed: ${(e as Error).message}`);
  }
}
