/**
 * The full abuse suite: every test file in this folder at full size (50 load sessions, 20,000 fuzz
 * messages), then one summary table over all of them. Run from the repository root with
 * `npm run -s abuse` (as root, on the kernel it should check). Exits non-zero when any case failed,
 * the agent crashed, or a program was left in the kernel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tally } from './summary.js';

const agentDir = join(import.meta.dirname, '../..');
const reports = mkdtempSync(join(tmpdir(), 'bpfplay-abuse-'));
const env = {
  ...process.env,
  BPFPLAY_LOAD_SESSIONS: process.env.BPFPLAY_LOAD_SESSIONS ?? '50',
  BPFPLAY_FUZZ_MESSAGES: process.env.BPFPLAY_FUZZ_MESSAGES ?? '20000',
  BPFPLAY_ABUSE_REPORT_DIR: reports,
};
const t0 = performance.now();
const r = spawnSync('npx', ['vitest', 'run', 'test/abuse', ...process.argv.slice(2)], {
  cwd: agentDir,
  env,
  stdio: 'inherit',
});
const all = Tally.loadAll(reports);
all.figure('suite wall time', `${Math.round((performance.now() - t0) / 1000)} s`);
console.log(
  `\n${all.table(`bpfplay abuse suite: ${env.BPFPLAY_LOAD_SESSIONS} load sessions, ${env.BPFPLAY_FUZZ_MESSAGES} fuzz messages`)}`,
);
const ok = r.status === 0 && all.failures.length === 0 && all.crashes === 0 && all.leaks === 0;
process.exit(ok ? 0 : 1);
