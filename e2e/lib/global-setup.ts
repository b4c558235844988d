import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, nextBin, WEB_DIR, webBuildIsFresh } from './web-app';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
const webDir = WEB_DIR;
const logDir = path.join(repo, 'e2e/test-results');
/**
 * Relative to apps/web; see distDir in next.config.ts. scripts/test.sh points this at `.next`,
 * which scripts/setup.sh has just built, so CI builds the app once.
 */
const DIST_DIR = process.env.BPFPLAY_E2E_DIST_DIR ?? '.next-e2e';

/**
 * Start the real web app and the real agent on free loopback ports, or reuse running ones named
 * by BPFPLAY_WEB_URL, BPFPLAY_AGENT_URL and BPFPLAY_TOKEN. What the specs need is passed on in
 * those same variables (Playwright hands global setup's environment to the workers).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const env = process.env;
  if (env.BPFPLAY_WEB_URL && env.BPFPLAY_AGENT_URL && env.BPFPLAY_TOKEN) {
    log(`reusing web ${env.BPFPLAY_WEB_URL} and agent ${env.BPFPLAY_AGENT_URL}`);
    return async () => {};
  }
  mkdirSync(logDir, { recursive: true });
  await buildWebIfStale();
  const token = randomBytes(16).toString('hex');
  const webPort = await freePort();
  const agentPort = await freePort();
  const webUrl = `http://127.0.0.1:${webPort}`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children) await terminate(c);
  };
  try {
    // The web app's own server (Next.js + the rooms' WebSockets), relaying learners to the agent
    // with the token, as scripts/start.sh starts it.
    const web = start(
      'web',
      process.execPath,
      [path.join(webDir, 'dist/server.mjs'), '--hostname', '127.0.0.1', '--port', String(webPort)],
      webDir,
      { NODE_ENV: 'production', BPFPLAY_AGENT_URL: `ws://127.0.0.1:${agentPort}/ws`, BPFPLAY_AGENT_TOKEN: token },
    );
    children.push(web);
    const agent = start(
      'agent',
      'npm',
      [
        'run',
        '-s',
        'bpfplay',
        '--',
        'agent',
        '--port',
        String(agentPort),
        '--allow-origin',
        webUrl,
        '--trust-proxy',
        '127.0.0.1',
      ],
      repo,
      { BPFPLAY_TOKEN: token },
    );
    children.push(agent);
    await Promise.all([
      waitForOutput(web, 'web', /Ready in|ready/i, 60_000),
      waitForOutput(agent, 'agent', new RegExp(`127\\.0\\.0\\.1:${agentPort}`), 120_000),
    ]);
    await waitForHttp(`${webUrl}/api/examples`, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  env.BPFPLAY_WEB_URL = webUrl;
  env.BPFPLAY_AGENT_URL = `ws://127.0.0.1:${agentPort}/ws`;
  env.BPFPLAY_TOKEN = token;
  log(`web ${webUrl}, agent ws://127.0.0.1:${agentPort}/ws (logs in e2e/test-results/)`);
  return stop;
}

function log(s: string) {
  process.stderr.write(`[e2e] ${s}\n`);
}

/** `next build` takes minutes here; skip it when the build is fresh. */
async function buildWebIfStale(): Promise<void> {
  // The server bundle (esbuild, about a second): always, so it never lags its sources.
  const server = start('web-server-build', process.execPath, [path.join(webDir, 'server/build.mjs')], webDir);
  const serverBuilt = await new Promise<number | null>((resolve) => server.on('exit', resolve));
  if (serverBuilt !== 0) throw new Error('building dist/server.mjs failed; see e2e/test-results/web-server-build.log');
  if (webBuildIsFresh(DIST_DIR)) {
    log('web build is up to date');
    return;
  }
  log('building the web app (next build)…');
  const t0 = Date.now();
  const p = start('web-build', process.execPath, [nextBin(), 'build'], webDir);
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${code}); see e2e/test-results/web-build.log`);
  log(`web built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

function start(
  name: string,
  cmd: string,
  args: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): ChildProcess {
  // Own process group, so teardown ends npm's child (the agent) along with npm itself.
  const child = spawn(cmd, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', BPFPLAY_NEXT_DIST_DIR: DIST_DIR, ...extraEnv },
  });
  const out = createWriteStream(path.join(logDir, `${name}.log`));
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

function waitForOutput(child: ChildProcess, name: string, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not print ${re} within ${ms / 1000} s; it printed:\n${seen.slice(-2000)}`)),
      ms,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (re.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready; it printed:\n${seen.slice(-2000)}`));
    });
  });
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s (${last})`);
}

async function terminate(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.pid === undefined) return;
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  try {
    process.kill(-c.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 5000);
  await gone;
  clearTimeout(t);
}
