/**
 * The host runner pool's room for open sessions, with stand-in runner processes (no BPF): learners
 * joining start runner processes ahead of their first Run, and leaving lets them go.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RUNNER_SHARING } from '../../src/limits.js';
import { RunnerPool } from '../../src/runner/pool.js';

/** A runner that says ready and waits; a lease's runs are never started here. */
function standIn(): string {
  const entry = join(mkdtempSync(join(tmpdir(), 'bpfplay-pool-')), 'runner.cjs');
  writeFileSync(entry, `process.send({ t: 'ready' }); process.on('disconnect', () => process.exit(0));\n`);
  return entry;
}

async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const t0 = Date.now(); !pred();) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let pool: RunnerPool | undefined;
afterEach(() => pool?.close());

describe('runner room for open sessions', () => {
  it('starts processes as learners join, keeps them while runs come and go, lets them go when learners leave', async () => {
    pool = new RunnerPool(1, 8, standIn());
    const p = pool;
    // One warm process: room for 4 runs (half of one), as before sessions counted.
    await until(() => p.status().processes === 1, 'the warm runner');
    p.setSessions(20);
    // Room for 20 runs: three processes of 8.
    await until(() => p.status().processes === 3, 'room for 20 sessions');
    // Runs take room; the pool does not add more for sessions that are running.
    const leases = await Promise.all(Array.from({ length: 12 }, () => p.acquire()));
    await new Promise((r) => setTimeout(r, 400));
    expect(p.status()).toEqual({ processes: 3, runs: 12 });
    for (const l of leases) l.release(0);
    // Everyone left: back to the warm room (one process), without waiting for the idle linger.
    p.setSessions(0);
    await until(() => p.status().processes === 1, 'the idle processes to go');
    expect(p.status().runs).toBe(0);
  });

  it('keeps nothing started ahead with --warm 0, sessions or not', async () => {
    pool = new RunnerPool(0, 8, standIn());
    pool.setSessions(20);
    await new Promise((r) => setTimeout(r, 500));
    expect(pool.status().processes).toBe(0);
  });

  it('never keeps more than RUNNER_SHARING.roomForSessionsMax runs of room for sessions', async () => {
    pool = new RunnerPool(1, 8, standIn());
    const p = pool;
    p.setSessions(1000);
    const most = Math.ceil(RUNNER_SHARING.roomForSessionsMax / 8);
    await until(() => p.status().processes === most, `${most} processes`);
    await new Promise((r) => setTimeout(r, 300));
    expect(p.status().processes).toBe(most);
  });
});
