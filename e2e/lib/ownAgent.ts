import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { repo } from './test';

export interface OwnAgent {
  wsUrl: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * An agent of the spec's own, for what the shared one must not be made to do (run at its limit):
 * `policy` is a policy file's content (e.g. `{ limits: { maxConcurrentRuns: 1 } }`), `env` adds
 * variables such as BPFPLAY_TEST_HOLD_COMPILE. Killed with its process group by stop().
 */
export async function startOwnAgent(o: {
  webOrigin: string;
  policy?: object;
  env?: Record<string, string>;
}): Promise<OwnAgent> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-e2e-agent-'));
  const args = ['--port', '0', '--allow-origin', o.webOrigin];
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
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`own agent did not start in 90 s:\n${out.slice(-2000)}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)\/ws/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`own agent exited (${code}) before listening:\n${out.slice(-2000)}`)));
  });
  return {
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    token,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(-child.pid, 'SIGTERM');
      await gone;
    },
  };
}
