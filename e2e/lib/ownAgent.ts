import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { repo } from './test';

export interface OwnAgent {
  wsUrl: string;
  token: string;
  /** Resolves once the agent's output (so far or later) matches `re`; bounded by the test's timeout. */
  waitForOutput(re: RegExp): Promise<void>;
  /** Everything the agent printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * An agent of the spec's own, for what the shared one must not be made to do (run at its limit):
 * `policy` is a policy file's content (e.g. `{ limits: { maxConcurrentRuns: 1 } }`), `env` adds
 * variables such as BPFPLAY_TEST_HOLD_COMPILE, `args` more options (e.g. --warm-guests). Killed with
 * its process group by stop().
 */
export async function startOwnAgent(o: {
  webOrigin: string;
  policy?: object;
  env?: Record<string, string>;
  args?: string[];
}): Promise<OwnAgent> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-e2e-agent-'));
  const args = ['--port', '0', '--allow-origin', o.webOrigin, ...(o.args ?? [])];
  const token = randomBytes(16).toString('hex');
  args.push('--token', token);
  if (o.policy) {
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(o.policy));
    args.push('--policy', file);
  }
  const child = spawn(process.execPath, [path.join(repo, 'apps/agent/dist/cli.js'), 'agent', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  let out = '';
  let exited: string | undefined;
  const waiters: { re: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const settle = () => {
    for (const w of waiters.splice(0)) {
      if (w.re.test(out)) w.resolve();
      else if (exited)
        w.reject(new Error(`own agent ${exited} before its output matched ${w.re}:\n${out.slice(-2000)}`));
      else waiters.push(w);
    }
  };
  const onData = (d: Buffer) => {
    out += d.toString();
    settle();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.on('exit', (code, signal) => {
    exited = `exited (${signal ?? code})`;
    settle();
  });
  const waitForOutput = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ re, resolve, reject });
      settle();
    });
  const listening = /listening on (http:\/\/\S+)\/ws/;
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    waitForOutput(listening).then(() => listening.exec(out)![1]!),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`own agent did not start in 90 s:\n${out.slice(-2000)}`)), 90_000);
    }),
  ]).catch((e: unknown) => {
    // An agent that never listened is not left behind.
    if (exited === undefined && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    throw e;
  });
  clearTimeout(timer);
  return {
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    token,
    waitForOutput,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(-child.pid, 'SIGTERM');
      await gone;
    },
  };
}
