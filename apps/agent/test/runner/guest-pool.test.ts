/**
 * The warm-guest pool's retries, with stand-in runner processes (no qemu): a warm boot that fails is
 * booted again until GUEST_LIMITS.warmBootAttempts failed in a row, then the pool stops booting that
 * kernel; a boot that succeeds in between starts the count again. The real hung kernel is
 * test/guest/hung-boot.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GuestPools } from '../../src/runner/guest-pool.js';
import type { GuestBoot } from '../../src/runner/ipc.js';

const boot = { kernel: { name: 'k' }, machine: {} } as unknown as GuestBoot;

/**
 * A runner that says ready, then answers `boot` with the next outcome of `plan` ('ok' or 'fail'),
 * counted across processes in a file beside it; past the plan's end it fails.
 */
function standIn(plan: ('ok' | 'fail')[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-pool-'));
  const entry = join(dir, 'runner.cjs');
  writeFileSync(join(dir, 'n'), '0');
  writeFileSync(
    entry,
    `const fs = require('fs'), path = require('path');
const plan = ${JSON.stringify(plan)};
process.send({ t: 'ready' });
process.on('message', (m) => {
  if (m.t !== 'boot') return;
  const f = path.join(__dirname, 'n');
  const n = Number(fs.readFileSync(f, 'utf8'));
  fs.writeFileSync(f, String(n + 1));
  if (plan[n] === 'ok') process.send({ t: 'booted', bootMs: 1 });
  else process.send({ t: 'boot-failed', message: 'boot ' + (n + 1) + ' failed' });
});
`,
  );
  return entry;
}

const boots = (entry: string) => Number(readFileSync(join(entry, '..', 'n'), 'utf8'));

let pools: GuestPools | undefined;
afterEach(() => pools?.close());

describe('warm guests that fail to boot', () => {
  it('are booted again until three failed in a row, then no more', async () => {
    const entry = standIn([]);
    const failures: { why: string; gaveUp: boolean; idleAfter?: number }[] = [];
    let gaveUp!: () => void;
    const done = new Promise<void>((r) => (gaveUp = r));
    pools = new GuestPools(1, 1, entry, undefined, (_k, why, g) => {
      failures.push({ why, gaveUp: g });
      if (g) gaveUp();
    });
    pools.warm(boot);
    await done;
    // The pool refills synchronously after a failure it retries: nothing is queued after the last.
    expect(pools.status()).toEqual({ k: { idle: 0 } });
    expect(failures).toEqual([
      { why: 'boot 1 failed', gaveUp: false },
      { why: 'boot 2 failed', gaveUp: false },
      { why: 'boot 3 failed', gaveUp: true },
    ]);
    expect(boots(entry)).toBe(3);
  });

  it('count again after a boot that worked', async () => {
    const entry = standIn(['fail', 'fail', 'ok']);
    const failures: boolean[] = [];
    let booted!: () => void;
    const ready = new Promise<void>((r) => (booted = r));
    let gaveUp!: () => void;
    const done = new Promise<void>((r) => (gaveUp = r));
    pools = new GuestPools(
      1,
      1,
      entry,
      () => booted(),
      (_k, _why, g) => {
        failures.push(g);
        if (g) gaveUp();
      },
    );
    pools.warm(boot);
    await ready;
    expect(failures, 'two slow boots, then a warm guest').toEqual([false, false]);
    expect(pools.status()).toEqual({ k: { idle: 1 } });
    // A run takes the warm guest; every replacement fails, and the count starts again from one:
    // three more boots before the pool gives up, not one.
    const lease = await pools.acquire(boot);
    await done;
    lease.kill();
    expect(failures).toEqual([false, false, false, false, true]);
    expect(boots(entry)).toBe(6);
  });
});
