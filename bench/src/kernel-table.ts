/**
 * `npm run -s kernel-table [-- --only hello,kernel-diff]` (in bench/): run every gallery example on
 * the host and every kernel of the matrix, and write which ran where to bpf/kernel-table.json (the
 * web app's examples page reads it) and the table section of bpf/README.md (with --only, only those
 * rows are replaced). Not a benchmark: it
 * lives here because, like the figures, it is run by hand and its result is committed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { parseArgs } from 'node:util';
import { KernelTable as KernelTableSchema, type KernelTable } from '@bpfplay/protocol';
import { listKernels } from '../../apps/agent/src/guest/kernels.js';
import {
  README,
  TABLE_JSON,
  renderMarkdown,
  runnableExamples,
  tableRow,
  withSection,
} from '../../apps/agent/test/examples/kernel-table.js';
import { startBenchAgent } from './agent.js';
import { buildAgent } from './build.js';

const { values } = parseArgs({ options: { only: { type: 'string' } } });

/** The committed table's rows, when it has exactly these columns (else none: a new column means a full run). */
function keptRows(columns: string[]): KernelTable['rows'] {
  if (!existsSync(TABLE_JSON)) return [];
  const t = KernelTableSchema.parse(JSON.parse(readFileSync(TABLE_JSON, 'utf8')));
  return t.targets.map((x) => x.name).join() === columns.join() ? t.rows : [];
}

async function main(): Promise<void> {
  buildAgent();
  const kernels = listKernels();
  if (!kernels.length)
    throw new Error('no kernel matrix: run scripts/setup.sh (scripts/kernels.sh, apps/agent/guest/build.sh)');
  const only = values.only?.split(',');
  const examples = runnableExamples().filter((e) => !only || only.includes(e.name));
  const targets = [{ name: 'host', release: release() }, ...kernels.map((k) => ({ name: k.name, release: k.release }))];
  // Warm guests of every kernel from the start: each example's run then waits on no boot.
  const agent = await startBenchAgent(['--warm-guests', 'all']);
  // With --only, the other examples' rows of the committed table stay (same columns only): a re-run of
  // a few examples updates their rows instead of leaving a table of those few.
  const kept = only ? keptRows(targets.map((t) => t.name)).filter((r) => !only.includes(r.example)) : [];
  const rows: KernelTable['rows'] = [];
  // The examples that show the matrix first, so an interrupted run has written what matters most.
  const first = (n: string) => (['kernel-diff', 'kprobe-open', 'fentry-exec', 'hello'].includes(n) ? 0 : 1);
  const order = [...examples].sort((a, b) => first(a.name) - first(b.name));
  const write = () => {
    const done = rows.length < examples.length ? ` (interrupted: ${rows.length} of ${examples.length} examples)` : '';
    const rerun = values.only ? ` -- --only ${values.only}` : '';
    const table: KernelTable = {
      generatedAt: new Date().toISOString(),
      command: `cd bench && npm run -s kernel-table${rerun}${done}${kept.length ? ` (other rows kept from the run before)` : ''}`,
      targets,
      rows: [...kept, ...rows].sort((a, b) => a.example.localeCompare(b.example)),
    };
    writeFileSync(TABLE_JSON, `${JSON.stringify(table, null, 2)}\n`);
    writeFileSync(README, withSection(readFileSync(README, 'utf8'), renderMarkdown(table)));
  };
  try {
    for (const e of order) {
      const t0 = performance.now();
      const row = await tableRow(
        e,
        targets.map((t) => t.name),
        agent,
      );
      rows.push(row);
      // Written after every example: the table on disk is always a complete, well-formed one.
      write();
      const marks = targets.map((t) => `${t.name}:${row.cells[t.name]?.status}`).join(' ');
      console.error(`${e.name.padEnd(24)} ${marks} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await agent.close();
  }
  console.error(`wrote ${TABLE_JSON} and the table in ${README}`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
