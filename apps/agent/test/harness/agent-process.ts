import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { requireKernel } from './kernel.js';

export const REPO = join(import.meta.dirname, '../../../..');
export const CLI = join(REPO, 'apps/agent/dist/cli.js');

export interface AgentProcess {
  url: string;
  wsUrl: string;
  token: string;
  child: ChildProcess;
  /** Everything the agent wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves once the agent's output (so far or later) matches `re`. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `bpfplay agent` as its own process (the way people run it), on a free port. */
export async function startAgentProcess(
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  /** The bench starts agents on a machine others load too: clang's warm-up alone took 37 s at load 38. */
  startTimeoutMs = 60_000,
  /** A command the agent runs under, e.g. `nsenter --net=… --` for an agent in its own network namespace. */
  under: string[] = [],
): Promise<AgentProcess> {
  // A caller that restarts an agent passes its token again (env BPFPLAY_TOKEN); else a new one.
  const token = env.BPFPLAY_TOKEN ?? randomBytes(16).toString('hex');
  // The token through the environment, as documented: an argument would show in `ps`.
  const [cmd, ...args] = [...under, process.execPath, CLI, 'agent', '--port', '0', ...extraArgs];
  const child = spawn(cmd!, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BPFPLAY_TOKEN: token,
      BPFPLAY_DATA_DIR: process.env.BPFPLAY_DATA_DIR ?? join(REPO, 'var'),
      ...env,
    },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`agent did not start in ${startTimeoutMs / 1000} s:\n${out}`)),
      startTimeoutMs,
    );
    const check = () => {
      const m = /listening on (https?:\/\/[^\s]+)\/ws/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`agent exited with ${code} before listening:\n${out}`)));
  });
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    token,
    child,
    output: () => out,
    waitForOutput: (re, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(out)) return resolve();
        const check = () => {
          if (!re.test(out)) return;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          resolve();
        };
        const timer = setTimeout(() => {
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          reject(new Error(`the agent did not print ${re} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        // Registered after the listeners that append to `out`, so `out` already holds this chunk.
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
      }),
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        // A child killed by a signal has exitCode null and signalCode set: it has exited too.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/**
 * One agent process shared by a test file: started in beforeAll (after checking the kernel and
 * tools are there), stopped in afterAll. Use the returned object inside tests only.
 */
export function useSharedAgent(extraArgs: string[] = [], env: Record<string, string> = {}): AgentProcess {
  let current: AgentProcess | undefined;
  beforeAll(async () => {
    requireKernel();
    current = await startAgentProcess(extraArgs, env);
  });
  afterAll(async () => {
    await current?.stop();
  });
  return new Proxy({} as AgentProcess, {
    get: (_target, prop) => {
      if (!current) throw new Error('the shared agent is not started yet: use it inside tests, not at module level');
      return current[prop as keyof AgentProcess];
    },
  });
}
