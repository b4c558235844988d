import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, nextBin, WEB_DIR as WEB, webBuildIsFresh } from '../../e2e/lib/web-app.js';

/** The bench's own build folder (next's distDir must be inside the app), so it never races e2e's or turbo's. */
const DIST_DIR = '.next-bench';

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', BPFPLAY_NEXT_DIST_DIR: DIST_DIR };

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

/**
 * `next build` (Turbopack, as the app ships and e2e runs it) into the bench's folder unless it is
 * newer than every source it reads.
 */
export async function buildWebIfStale(log: (s: string) => void): Promise<void> {
  if (webBuildIsFresh(DIST_DIR)) return;
  log('building the web app (next build) for figure 3…');
  const p = spawn(process.execPath, [nextBin(), 'build'], { cwd: WEB, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const code = await waitExit(p);
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${out.slice(-3000)}`);
}

/** `next start` on a free loopback port; resolves once the app answers. */
export async function startWeb(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [nextBin(), 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: WEB,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const end = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/api/examples`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > end) throw new Error(`the web app did not answer in 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    close: async () => {
      child.kill('SIGTERM');
      await Promise.race([waitExit(child), new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
    },
  };
}
