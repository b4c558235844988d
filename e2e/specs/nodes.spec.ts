import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '../lib/test';
import { startOwnAgent, type OwnAgent } from '../lib/ownAgent';
import { ownWebAddress, startOwnWeb, type OwnWeb } from '../lib/ownWeb';
import { freePort } from '../lib/web-app';

/**
 * Many agents behind one web app (issue 19), in a real browser: the web server of its own
 * (dist/server.mjs: Next.js + the WebSocket relay) with an agents file naming two real agents and
 * one address where nothing listens. The node list shows two up and one down with the reason; a
 * run on every node from the page comes back labelled with each node, side by side; the page
 * never holds an agent's token or address. A room scoped to one node keeps its learners there.
 */
test.describe('many agents: node list and runs on every node', () => {
  let agents: OwnAgent[] = [];
  let web: OwnWeb | undefined;
  let base = '';
  let dir = '';
  let deadAddress = '';

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-e2e-nodes-'));
    const address = await ownWebAddress();
    base = address.base;
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
    web = await startOwnWeb({ port: address.port, env: { BPFPLAY_AGENTS_FILE: file } });
  });

  test.afterAll(async () => {
    await web?.stop();
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

  test('a room scoped to one node: the instructor sees and changes it; a learner elsewhere is refused in words', async ({
    page,
    freshPage,
  }) => {
    test.setTimeout(60_000);
    const post = (p: string, body: object) => fetch(`${base}${p}`, { method: 'POST', body: JSON.stringify(body) });
    const unknown = await post('/api/rooms', { name: 'nowhere', nodes: ['lab-9'] });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatch(
      /^no node named "lab-9" \(the node list shows the names: lab-1, lab-2, lab-3\)$/,
    );
    const created = await (await post('/api/rooms', { name: 'lab one', nodes: ['lab-1'] })).json();
    const id = created.room.id as string;
    const ada = await (await post(`/api/rooms/${id}/join`, { code: created.joinCode, name: 'Ada' })).json();

    // The instructor sees which nodes serve the room and reaches the node list from it.
    await page.goto(`${base}/rooms/${id}/teach#key=${created.instructorKey}`);
    await expect(page.getByTestId('room-nodes-summary')).toHaveText('only lab-1');
    await expect(page.getByTestId('room-node-lab-1')).toBeChecked();
    await expect(page.getByTestId('room-node-lab-2')).not.toBeChecked();
    expect(await page.getByTestId('nodes-link').getAttribute('href')).toBe(
      `/nodes#room=${id}&token=${created.instructorKey}`,
    );

    // A learner's run on a node outside the room is refused by the server, in words.
    const learner = await freshPage();
    await learner.goto(`${base}/nodes#room=${id}&token=${ada.learnerKey}&learner=${ada.learnerId}`);
    await learner.getByTestId('node-run-target').selectOption('lab-2');
    await learner.getByTestId('node-run-start').click();
    await expect(learner.getByText('node "lab-2" does not serve this room: its instructor chose lab-1')).toBeVisible();

    // The instructor adds lab-2: the next run there is taken.
    // The box shows the room's setting: it turns checked when the server's roster says so.
    await page.getByTestId('room-node-lab-2').click();
    await expect(page.getByTestId('room-node-lab-2')).toBeChecked();
    await expect(page.getByTestId('room-nodes-summary')).toHaveText('only lab-1, lab-2');
    await learner.getByLabel('for').fill('1');
    await learner.getByTestId('node-run-start').click();
    await expect(learner.getByTestId('node-run-summary')).toHaveText(/1 of 1 nodes ran: lab-2 \w+/, {
      timeout: 45_000,
    });
  });
});
