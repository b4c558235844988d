import type { LoadFigures } from './load.js';
import { mib, type Tally } from './summary.js';

/**
 * A generous bound on the agent's whole process tree (agent + one runner per run + compilers).
 * Measured here with a flooding session: 10 sessions peak at ~760 MiB, 50 at ~1.1 GiB (agent
 * ~260 MiB, runners ~20–40 MiB each, clang ~300 MiB while compiling). Half a GiB plus 100 MiB a
 * session is several times that, yet catches a flood buffered in memory, which grows by GiBs.
 */
export function memoryBound(sessions: number): number {
  return (512 << 20) + sessions * (100 << 20);
}

export function loadFigures(tally: Tally, f: LoadFigures): void {
  const ms = (n: number) => `${Math.round(n)} ms`;
  tally.record(
    'load',
    `${f.sessions} sessions compile, run, stream`,
    f.failures.length ? f.failures.slice(0, 3).join('; ') : undefined,
  );
  tally.figure('sessions ok / total', `${f.sessionsOk} / ${f.sessions}`);
  tally.figure(
    'run → running p50 / p95 / max',
    `${ms(f.toRunning.p50)} / ${ms(f.toRunning.p95)} / ${ms(f.toRunning.max)}`,
  );
  tally.figure('compile p50 / p95', `${ms(f.compileMs.p50)} / ${ms(f.compileMs.p95)}`);
  tally.figure('load p50 / p95', `${ms(f.loadMs.p50)} / ${ms(f.loadMs.p95)}`);
  tally.figure(
    'examples: events / printk / map frames',
    `${f.delivered.events} / ${f.delivered.printk} / ${f.delivered.mapFrames}`,
  );
  tally.figure('examples: dropped', f.delivered.dropped);
  if (f.flood) {
    tally.record(
      'load',
      'flood: produced = delivered + dropped',
      f.flood.exact ? undefined : `${f.flood.produced} ≠ ${f.flood.delivered} + ${f.flood.dropped}`,
    );
    tally.figure('flood: produced', f.flood.produced);
    tally.figure('flood: end', `${f.flood.end} (${f.flood.snapshots} map snapshots)`);
    tally.figure('flood: stats events / dropped', `${f.flood.stats.events} / ${f.flood.stats.dropped}`);
    tally.figure(
      'flood: delivered / dropped',
      `${f.flood.delivered.toLocaleString('en-US')} / ${f.flood.dropped.toLocaleString('en-US')}`,
    );
  }
  tally.record(
    'load',
    'ping answered during load',
    f.ping.lost ? `${f.ping.lost} pings unanswered in 10 s` : undefined,
  );
  tally.figure(
    'ping RTT p50 / p95 / max',
    `${ms(f.ping.p50)} / ${ms(f.ping.p95)} / ${ms(f.ping.max)} (${f.ping.n} pings)`,
  );
  tally.record(
    'load',
    'memory bounded',
    f.memory.treePeak < memoryBound(f.sessions) ? undefined : `tree peak ${mib(f.memory.treePeak)}`,
  );
  tally.figure('agent peak RSS', mib(f.memory.agentPeak));
  tally.figure('agent + runners peak RSS', mib(f.memory.treePeak));
  tally.figure('BPF programs held after the load', f.programsLeft.length);
  tally.figure('load wall time', ms(f.wallMs));
}
