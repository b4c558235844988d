import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../../apps/agent/test/harness/agent-process.js';
import { DEFAULT_COMPILE_LIMITS } from '../../apps/agent/src/compile/limits.js';
import { BASE_FLAGS, CLANG, DEFAULT_INCLUDE_DIR, PRELUDE_NAME } from '../../apps/agent/src/compile/toolchain.js';
import { watchPeakRss, type BenchAgent } from './agent.js';
import { BenchClient } from './client.js';
import { mib, ms, percentile, ratio } from './stats.js';
import type { Table } from './table.js';

const run = promisify(execFile);
const HELLO = readFileSync(join(REPO, 'bpf/hello/hello.bpf.c'), 'utf8');

/**
 * Figure 4: `sessions` WebSocket sessions press Run at the same moment, each with a source of its
 * own (so every one compiles). Per session: run sent → compiled, and → attached. The reference is
 * the same compiles as plain clang processes (same flags and PCH, no sandbox), `concurrency` at a
 * time like the agent's compile queue, timed from the start of the batch.
 */
export async function concurrencyFigure(
  o: { sessions: number; rounds: number; vmlinuxHeader: string },
  agent: BenchAgent,
): Promise<Table> {
  const toCompiled: number[] = [];
  const toAttached: number[] = [];
  const bare: number[] = [];
  let peak = { peakBytes: 0, peakProcesses: 0 };
  const idle = watchPeakRss(agent.child.pid!)();
  for (let round = 0; round < o.rounds; round++) {
    const r = await agentRound(o.sessions, agent, round);
    toCompiled.push(...r.compiled);
    toAttached.push(...r.attached);
    if (r.rss.peakBytes > peak.peakBytes) peak = r.rss;
    bare.push(...(await bareRound(o.sessions, o.vmlinuxHeader, round)));
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const c = DEFAULT_COMPILE_LIMITS.concurrency;
  return {
    title: `Figure 4 — ${o.sessions} sessions compiling distinct sources at once (${o.rounds} round${o.rounds > 1 ? 's' : ''})`,
    head: ['measurement', 'p50', 'p95', 'p95 vs bare clang'],
    rows: [
      [
        `bare clang, ${o.sessions} compiles ${c} at a time (reference): start → compiled`,
        ms(percentile(bare, 50)),
        ms(percentile(bare, 95)),
        '1.00×',
      ],
      [
        'agent: run sent → compiled',
        ms(percentile(toCompiled, 50)),
        ms(percentile(toCompiled, 95)),
        ratio(percentile(toCompiled, 95), percentile(bare, 95)),
      ],
      [
        'agent: run sent → attached',
        ms(percentile(toAttached, 50)),
        ms(percentile(toAttached, 95)),
        ratio(percentile(toAttached, 95), percentile(bare, 95)),
      ],
      [
        'agent peak RSS (agent + runners + compilers)',
        `${mib(peak.peakBytes)} (${peak.peakProcesses} processes)`,
        `idle: ${mib(idle.peakBytes)} (${idle.peakProcesses})`,
        '',
      ],
    ],
    notes: [
      `the agent compiles ${c} at a time (compile/limits.ts concurrency), each in bwrap; one runner process per run`,
      'RSS sampled every 50 ms over the agent process and all its descendants (/proc/*/status VmRSS)',
    ],
  };
}

async function agentRound(n: number, agent: BenchAgent, round: number) {
  const clients = await Promise.all(Array.from({ length: n }, () => BenchClient.open(agent.wsUrl, agent.token)));
  const stopWatch = watchPeakRss(agent.child.pid!);
  const compiled: number[] = [];
  const attached: number[] = [];
  let rss = { peakBytes: 0, peakProcesses: 0 };
  try {
    await Promise.all(
      clients.map((client, i) => {
        const id = `conc-${round}-${i}`;
        return new Promise<void>((resolve, reject) => {
          let sentAt = 0;
          const r = client.run(
            id,
            { files: [{ name: 'hello.bpf.c', content: `// session ${Date.now()}-${round}-${i}\n${HELLO}` }] },
            { durationSec: 120 },
            (m, at) => {
              if (m.type === 'compiled') compiled.push(at - sentAt);
              else if (m.type === 'attached') {
                attached.push(at - sentAt);
                resolve();
              }
            },
          );
          sentAt = r.sentAt;
          void r.stopped.then((s) => reject(new Error(`session ${i}: run stopped before attaching: ${s.message}`)));
        });
      }),
    );
  } finally {
    rss = stopWatch();
    clients.forEach((c, i) => c.stop(`conc-${round}-${i}`));
    // Runners release their programs and exit; give them a moment before the next round.
    await new Promise((r) => setTimeout(r, 2000));
    for (const c of clients) c.close();
  }
  return { compiled, attached, rss };
}

async function bareRound(n: number, vmlinuxHeader: string, round: number): Promise<number[]> {
  const work = mkdtempSync(join(tmpdir(), 'bpfplay-bench-conc-'));
  try {
    const flags = BASE_FLAGS.map((f) =>
      f.startsWith('-I/bpfplay/include')
        ? `-I${DEFAULT_INCLUDE_DIR}`
        : f.startsWith('-I/bpfplay/gen')
          ? `-I${dirname(vmlinuxHeader)}`
          : f,
    );
    const pch = join(work, 'prelude.pch');
    execFileSync(CLANG, [...flags, '-x', 'c-header', join(DEFAULT_INCLUDE_DIR, PRELUDE_NAME), '-o', pch]);
    const srcs = Array.from({ length: n }, (_, i) => {
      const p = join(work, `s${i}.bpf.c`);
      writeFileSync(p, `// bare ${round}-${i}\n${HELLO}`);
      return p;
    });
    const done: number[] = [];
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        await run(CLANG, [...flags, '-include-pch', pch, '-c', srcs[i]!, '-o', join(work, `s${i}.o`)]);
        done.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: DEFAULT_COMPILE_LIMITS.concurrency }, worker));
    return done;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
