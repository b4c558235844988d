import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web app as e2e's global setup and the bench build and start it: Next.js's own binary, whether
 * a build is newer than what it reads, a free loopback port, and the Chromium they drive it with.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(repo, 'apps/web');

/** The `next` CLI of the web app's own Next.js. */
export function nextBin(): string {
  const pkg = createRequire(path.join(WEB_DIR, 'package.json')).resolve('next/package.json');
  return path.join(path.dirname(pkg), 'dist/bin/next');
}

/** The newest mtime under `p` (node_modules and build folders left out); 0 when it does not exist. */
function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(p))
    if (e !== 'node_modules' && !e.startsWith('.next')) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

/**
 * `next build` takes minutes here: a build in `distDir` (relative to apps/web) is fresh when it is
 * newer than every source it reads — the app, its config and the two packages it bundles.
 */
export function webBuildIsFresh(distDir: string): boolean {
  const buildId = path.join(WEB_DIR, distDir, 'BUILD_ID');
  const sources = Math.max(
    ...['app', 'src', 'next.config.ts', 'package.json'].map((p) => newest(path.join(WEB_DIR, p))),
    newest(path.join(repo, 'packages/protocol/src')),
    newest(path.join(repo, 'packages/share/src')),
  );
  return existsSync(buildId) && statSync(buildId).mtimeMs > sources;
}

/** A loopback port nobody listens on right now (the shared machine runs other helpers' servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Debian's chromium, headless, with nothing of its own on the network (no sync, updates or QUIC). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
