/**
 * The full abuse suite: every test file in this folder at full size (50 load sessions, 20,000 fuzz
 * messages), then one summary table over all of them. Run from the repository root with
 * `npm run -s abuse` (as root, on the kernel it should check). Exits non-zero when any case failed,
 * the agent crashed, or a program was left in the kernel.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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
// The share API's abuse cases (spoofed X-Forwarded-For, a 300 MB body, cross-site text/plain) are
// the web app's: its own tests run them, and their verdicts join this summary as one class.
const shareReport = join(reports, 'share.vitest-report');
spawnSync('npx', ['vitest', 'run', 'test/request.test.ts', '--reporter=json', `--outputFile=${shareReport}`], {
  cwd: join(agentDir, '../../packages/share'),
  stdio: 'inherit',
});
const all = Tally.loadAll(reports);
recordVitest(all, 'share API', shareReport);
all.figure('suite wall time', `${Math.round((performance.now() - t0) / 1000)} s`);
console.log(
  `\n${all.table(`bpfplay abuse suite: ${env.BPFPLAY_LOAD_SESSIONS} load sessions, ${env.BPFPLAY_FUZZ_MESSAGES} fuzz messages`)}`,
);
const ok = r.status === 0 && all.failures.length === 0 && all.crashes === 0 && all.leaks === 0;
process.exit(ok ? 0 : 1);

/** Each test of a vitest JSON report as one case of `group` (a missing report is one failed case). */
function recordVitest(tally: Tally, group: string, file: string): void {
  if (!existsSync(file)) return tally.record(group, 'report', `vitest wrote no report to ${file}`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
  };
  for (const t of report.testResults.flatMap((r) => r.assertionResults))
    tally.record(
      group,
      t.fullName,
      t.status === 'passed' ? undefined : (t.failureMessages[0] ?? t.status).slice(0, 500),
    );
}
