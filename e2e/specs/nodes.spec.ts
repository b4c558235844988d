import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, repo, test } from '../lib/test';
import { startOwnAgent, type OwnAgent } from '../lib/ownAgent';

/**
 * Many agents behind one web app (issue 19), in a real browser: the web server of its own
 * (dist/server.mjs: Next.js + the WebSocket relay) with an agents file naming two real agents and
 * one address where nothing listens. The node list shows two up and one down with the reason; a
 * run on every node from the page comes back labelled with each node, side by side; the page
 * never holds an agent's token or address.
 */
const webDir = path.join(repo, 'apps/web');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test.describe('many agents: node list and runs on every node', () => {
  let agents: OwnAgent[] = [];
  let web: ChildProcess | undefined;
  let base = '';
  let dir = '';
  let deadAddress = '';

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-e2e-nodes-'));
    // The web server bundle (esbuild, a second or two): the spec must run the relay it tests.
    execFileSync(process.execPath, ['server/build.mjs'], { cwd: webDir, stdio: 'inherit' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    agents = await Promise.all([startOwnAgent({ webOrigin: base }), startOwnAgent({ webOrigin: base })]);
    const deadPort = await freePort();
    deadAddress = `127.0.0.1:${deadPort}`;
    const file = path.join(dir, 'agents.txt');
    writeFileSync(
      file,
      `${agents[0]!.wsUrl} ${agents[0]!.token} lab-1\n${agents[1]!.wsUrl} ${agents[1]!.token} lab-2\n` +
        `ws://127.0.0.1:${deadPort}/ws nothing-listens lab-3\n`,
      { mode: 0o600 },
    );
    web = spawn(process.execPath, ['dist/server.mjs', '--hostname', '127.0.0.1', '--port', String(port)], {
      cwd: webDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        BPFPLAY_NEXT_DIST_DIR: process.env.BPFPLAY_E2E_DIST_DIR ?? '.next-e2e',
        BPFPLAY_AGENTS_FILE: file,
        BPFPLAY_DATA_DIR: path.join(dir, 'data'),
      },
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`web server did not start:\n${out.slice(-2000)}`)), 120_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/bpfplay web ready/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      web!.stdout!.on('data', onData);
      web!.stderr!.on('data', onData);
      web!.on('exit', (code) => reject(new Error(`web server exited (${code}):\n${out.slice(-2000)}`)));
    });
  });

  test.afterAll(async () => {
    if (web?.pid !== undefined && web.exitCode === null) {
      const gone = new Promise<void>((r) => web!.once('exit', () => r()));
      process.kill(-web.pid, 'SIGTERM');
      await gone;
    }
    await Promise.all(agents.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the node list, then a run on every node labelled by node, from the browser', async ({ page }) => {
    test.setTimeout(180_000);
    const created = await (
      await fetch(`${base}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: 'fleet probe' }) })
    ).json();
    const roomId = created.room.id as string;
    const key = created.instructorKey as string;

    // The browser's WebSockets: none may go to an agent.
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));

    await page.goto(`${base}/nodes#room=${roomId}&token=${key}`);
    await expect(page.getByTestId('nodes-headline')).toHaveText('2 of 3 nodes up', { timeout: 30_000 });
    await expect(page.getByTestId('node-lab-1')).toHaveAttribute('data-health', 'up');
    await expect(page.getByTestId('node-lab-2')).toContainText(/\d+\.\d+/); // its kernel release
    await expect(page.getByTestId('node-lab-3')).toHaveAttribute('data-health', 'down');
    await expect(page.getByTestId('node-lab-3')).toContainText(/down: .*ECONNREFUSED/);
    await expect(page.getByTestId('node-lab-3')).not.toContainText(deadAddress);

    await page.getByLabel('for').fill('20');
    await page.getByTestId('node-run-start').click();
    // Both nodes run the starter (a printk on every execve) side by side; make some execs.
    for (const n of ['lab-1', 'lab-2'])
      await expect(page.getByTestId(`node-run-${n}`)).toHaveAttribute('data-state', 'running', { timeout: 90_000 });
    for (let i = 0; i < 5; i++) execFileSync('/bin/true');
    const records = page.getByTestId('node-run-records');
    await expect(records.locator('tr', { hasText: 'lab-1' }).filter({ hasText: 'exec from' }).first()).toBeVisible({
      timeout: 30_000,
    });
    await expect(records.locator('tr', { hasText: 'lab-2' }).filter({ hasText: 'exec from' }).first()).toBeVisible();
    await expect(page.getByTestId('node-run-summary')).toHaveText(/2 of 2 nodes ran: lab-\d \w+, lab-\d \w+/, {
      timeout: 30_000,
    });

    const html = await page.content();
    expect(html).not.toContain(deadAddress);
    for (const a of agents) {
      expect(html).not.toContain(a.token);
      expect(html).not.toContain(new URL(a.wsUrl).host);
    }
    expect(sockets.length).toBeGreaterThan(0);
    for (const s of sockets) expect(new URL(s).origin.replace('ws', 'http')).toBe(base);
    await page.screenshot({ path: test.info().outputPath('nodes.png'), fullPage: true });
  });
});
