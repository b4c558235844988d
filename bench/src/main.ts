/**
 * `npm run bench [-- --only 1,2,7 --runs N --smoke --runs-per-runner N]`: each figure of issue 7 measured side by side with
 * its reference in the same run, printed as Markdown tables (medians of several runs, and the ratio).
 * A bench is not a test: nothing here asserts a time; it prints what it measured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchAgent, type BenchAgent } from './agent.js';
import { benchCompiler, buildAgent, buildNative } from './build.js';
import { cpuContention, describeMachine } from './machine.js';
import { renderTable, type Table } from './table.js';
import { compileFigure } from './fig5-compile.js';
import { firstEventFigure } from './fig1-first-event.js';
import { concurrencyFigure } from './fig4-concurrency.js';
import { throughputFigure } from './fig2-throughput.js';
import { browserFigure } from './fig3-browser.js';
import { buildWebIfStale, startWeb } from './web.js';
import { lspFigure } from './fig7-lsp.js';
import { inProcessFigure } from './fig8-in-process.js';
import { RUNNER_SHARING } from '../../apps/agent/src/limits.js';
import { kernelsFigure } from './fig6-kernels.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    out: { type: 'string' },
    runs: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    /** Figure 4's agent: runs per runner process (the agent's default unless given; 1 = a process per run). */
    'runs-per-runner': { type: 'string' },
  },
});
const only = new Set((values.only ?? '1,2,3,4,5,6,7,8').split(',').map((s) => Number(s.trim())));
const smoke = values.smoke ?? false;
const runs = Number(values.runs ?? (smoke ? 1 : 5));
/** Also write the machine description and every table to this Markdown file (for RESULTS.md). */
const out = values.out;

/**
 * Limits for the throughput figure's agent: far above what the pipeline carries, so the pipeline,
 * not the per-run budgets (200 000 records/s, 32 MiB/s by default), is what gets measured.
 */
const RAISED_LIMITS = { maxEventsPerSec: 50_000_000, maxBytesPerSec: 4 * 2 ** 30 };

async function withAgent<T>(args: string[], f: (a: BenchAgent) => Promise<T>): Promise<T> {
  const agent = await startBenchAgent(args);
  try {
    return await f(agent);
  } finally {
    await agent.close();
  }
}

async function main(): Promise<void> {
  const machine = ['## Machine', '', ...describeMachine().map((l) => `- ${l}`), ''].join('\n');
  console.log(machine);
  buildAgent();
  const native = buildNative();
  const tables: Table[] = [];
  const print = (t: Table) => {
    t.notes = [...(t.notes ?? []), cpuContention()];
    tables.push(t);
    console.log(renderTable(t));
    if (out) writeFileSync(out, [machine, ...tables.map(renderTable)].join('\n'));
  };
  if (only.has(8)) print(inProcessFigure({ runs }));
  if (only.has(5)) print(await compileFigure({ runs }));
  if (only.has(1) || only.has(4)) {
    // Figure 4's learners come through the bench as a relay would bring them (X-Bpfplay-Client).
    const perRunner = Number(values['runs-per-runner'] ?? RUNNER_SHARING.runsPerRunner);
    await withAgent(['--trust-proxy', '127.0.0.1', '--runs-per-runner', String(perRunner)], async (agent) => {
      if (only.has(1)) print(await firstEventFigure({ runs, trigger: native.trigger }, agent));
      if (only.has(4)) {
        const { vmlinuxHeader } = (await benchCompiler()).info;
        print(
          await concurrencyFigure(
            {
              sessions: smoke ? 10 : 50,
              rounds: smoke ? 1 : Math.max(1, Math.min(3, runs)),
              vmlinuxHeader,
              runsPerRunner: perRunner,
            },
            agent,
          ),
        );
      }
    });
  }
  if (only.has(6)) print(await kernelsFigure({ runs: smoke ? 1 : Math.min(runs, 3), trigger: native.trigger }));
  if (only.has(7)) {
    await withAgent([], async (agent) => {
      print(await lspFigure({ completions: smoke ? 6 : 40, sessions: smoke ? 1 : Math.max(2, runs) }, agent));
    });
  }
  if (only.has(3)) {
    await buildWebIfStale((l) => console.error(l));
    const web = await startWeb();
    try {
      await withAgent(['--allow-origin', web.url], async (agent) => {
        print(
          await browserFigure(
            { seconds: smoke ? 3 : 10, recordsPerSec: 100_000, trigger: native.trigger, webUrl: web.url },
            agent,
          ),
        );
      });
    } finally {
      await web.close();
    }
  }
  if (only.has(2)) {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-bench-policy-'));
    const policy = join(dir, 'limits.json');
    writeFileSync(policy, JSON.stringify({ $comment: 'bench: raised stream budgets', limits: RAISED_LIMITS }));
    try {
      const base = { runs, seconds: smoke ? 1 : 3, burst: 256, trigger: native.trigger, consumer: native.consumer };
      await withAgent(['--policy', policy], async (agent) => {
        print(
          await throughputFigure(
            {
              ...base,
              triggersPerSec: smoke ? [1000] : [1000, 4000, 0],
              formats: ['records', 'binary', 'binary-decoded'],
            },
            agent,
            {
              label: 'raised agent limits',
              detail: `limits raised to ${RAISED_LIMITS.maxEventsPerSec} records/s and ${RAISED_LIMITS.maxBytesPerSec / 2 ** 20} MiB/s per run (--policy file)`,
            },
          ),
        );
      });
      if (!smoke) {
        await withAgent([], async (agent) => {
          print(
            await throughputFigure(
              { ...base, runs: Math.min(runs, 3), triggersPerSec: [4000], formats: ['records'] },
              agent,
              { label: 'default agent limits', detail: 'the default limits (200 000 records/s, 32 MiB/s per run)' },
            ),
          );
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
