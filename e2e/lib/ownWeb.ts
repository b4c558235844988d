import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repo } from './test';
import { freePort } from './web-app';

export interface OwnWeb {
  /** http://127.0.0.1:<port> */
  base: string;
  /** A folder of the web server's own (its database is in data/): removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

/** Reserve the address first: an agent of the spec's own must allow this origin before the web server starts. */
export async function ownWebAddress(): Promise<{ port: number; base: string }> {
  const port = await freePort();
  return { port, base: `http://127.0.0.1:${port}` };
}

/**
 * A web server of the spec's own (dist/server.mjs: Next.js + the rooms' relay, built by the global
 * setup) for what the shared one cannot be pointed at: agents of the spec's own (`env`:
 * BPFPLAY_AGENT_URL/TOKEN, or BPFPLAY_AGENTS_FILE), with a database of its own. Killed with its
 * process group by stop().
 */
export async function startOwnWeb(o: { port: number; env: Record<string, string> }): Promise<OwnWeb> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-e2e-web-'));
  const webDir = path.join(repo, 'apps/web');
  const web = spawn(process.execPath, ['dist/server.mjs', '--hostname', '127.0.0.1', '--port', String(o.port)], {
    cwd: webDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BPFPLAY_NEXT_DIST_DIR: process.env.BPFPLAY_E2E_DIST_DIR ?? '.next-e2e',
      BPFPLAY_DATA_DIR: path.join(dir, 'data'),
      ...o.env,
    },
  });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`web server did not start:\n${out.slice(-2000)}`)), 120_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/bpfplay web ready/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      web.stdout!.on('data', onData);
      web.stderr!.on('data', onData);
      web.on('exit', (code) => reject(new Error(`web server exited (${code}):\n${out.slice(-2000)}`)));
    });
  } catch (e) {
    if (web.pid !== undefined && web.exitCode === null) process.kill(-web.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    base: `http://127.0.0.1:${o.port}`,
    dir,
    stop: async () => {
      if (web.pid !== undefined && web.exitCode === null) {
        const gone = new Promise<void>((r) => web.once('exit', () => r()));
        process.kill(-web.pid, 'SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
