import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO } from '../../apps/agent/test/harness/agent-process.js';

const WEB = join(REPO, 'apps/web');
/** The bench's own build folder (next's distDir must be inside the app), so it never races e2e's or turbo's. */
const DIST_DIR = '.next-bench';

function nextBin(): string {
  return join(createRequire(join(WEB, 'package.json')).resolve('next/package.json'), '..', 'dist/bin/next');
}

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(p))
    if (e !== 'node_modules' && !e.startsWith('.next')) t = Math.max(t, newest(join(p, e)));
  return t;
}

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', BPFPLAY_NEXT_DIST_DIR: DIST_DIR };

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

/**
 * `next build` (Turbopack, as the app ships and e2e runs it) into the bench's folder unless it is
 * newer than every source it reads.
 */
export async function buildWebIfStale(log: (s: string) => void): Promise<void> {
  const id = join(WEB, DIST_DIR, 'BUILD_ID');
  const sources = Math.max(
    ...['app', 'src', 'next.config.ts', 'package.json'].map((p) => newest(join(WEB, p))),
    newest(join(REPO, 'packages/protocol/src')),
    newest(join(REPO, 'packages/share/src')),
  );
  if (existsSync(id) && statSync(id).mtimeMs > sources) return;
  log('building the web app (next build) for figure 3…');
  const p = spawn(process.execPath, [nextBin(), 'build'], { cwd: WEB, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const code = await waitExit(p);
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${out.slice(-3000)}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
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
