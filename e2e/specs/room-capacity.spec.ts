import type { Page } from '@playwright/test';
import { expect, test } from '../lib/test';
import { startOwnAgent, type OwnAgent } from '../lib/ownAgent';
import { ownWebAddress, startOwnWeb, type OwnWeb } from '../lib/ownWeb';

/**
 * Issue 13 item 5, a learner's first five minutes when the agent is full: an agent of its own that
 * admits one run at a time, behind a web server of its own. Three learners press Run together; the
 * one who got the agent runs, the others see their place in line and an estimate (never a blank
 * or frozen status), a Stop while waiting leaves the line, and every Run comes back.
 */
test.describe('a full agent in a room', () => {
  let agent: OwnAgent | undefined;
  let web: OwnWeb | undefined;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const address = await ownWebAddress();
    agent = await startOwnAgent({
      webOrigin: address.base,
      policy: { limits: { maxConcurrentRuns: 1 } },
      // The relay names each learner in X-Bpfplay-Client; the agent believes it only from here.
      args: ['--trust-proxy', '127.0.0.1'],
    });
    web = await startOwnWeb({
      port: address.port,
      env: { BPFPLAY_AGENT_URL: agent.wsUrl, BPFPLAY_AGENT_TOKEN: agent.token },
    });
  });

  test.afterAll(async () => {
    await web?.stop();
    await agent?.stop();
  });

  test('three learners press Run on a one-run agent: places in line with estimates, Stop works, Run comes back', async ({
    freshPage,
  }) => {
    test.setTimeout(60_000);
    const base = web!.base;
    const post = async (p: string, body: object) =>
      (await fetch(`${base}${p}`, { method: 'POST', body: JSON.stringify(body) })).json();
    const created = await post('/api/rooms', { name: 'full house' });
    const id = created.room.id as string;

    // Learners who joined already (the join form is rooms.spec's): their credential in this browser.
    const learner = async (name: string): Promise<Page> => {
      const j = await post(`/api/rooms/${id}/join`, { code: created.joinCode, name });
      const p = await freshPage();
      const saved = { v: 1, learner: { id: j.learnerId, key: j.learnerKey, name }, passed: [] };
      await p.addInitScript(([k, v]) => localStorage.setItem(k!, v!), [`bpfplay:room:${id}`, JSON.stringify(saved)]);
      await p.goto(`${base}/rooms/${id}`);
      await expect(p.getByTestId('run')).toBeEnabled({ timeout: 30_000 });
      return p;
    };
    const [ada, bo, cy] = await Promise.all(['Ada', 'Bo', 'Cy'].map(learner));
    const status = (p: Page) => p.getByTestId('run-status');

    await ada!.getByTestId('run').click();
    await expect(status(ada!)).toHaveText(/^running \d+ s$/, { timeout: 30_000 });
    await bo!.getByTestId('run').click();
    await expect(status(bo!)).toHaveText(/^waiting: the agent is full: you are 1st in line, about \d+ s$/);
    await cy!.getByTestId('run').click();
    await expect(status(cy!)).toHaveText(/^waiting: the agent is full: you are 2nd in line, about \d+ s$/);
    // Waiting is not frozen: Stop is there, and Run is not offered twice.
    await expect(bo!.getByTestId('stop')).toBeEnabled();
    await expect(bo!.getByTestId('run')).toBeDisabled();

    // Cy gives up waiting: out of the line, Run is back at once.
    await cy!.getByTestId('stop').click();
    await expect(cy!.getByTestId('run')).toBeEnabled();

    // Ada stops: her Run comes back, and Bo's run gets the agent and attaches.
    await ada!.getByTestId('stop').click();
    await expect(ada!.getByTestId('run')).toBeEnabled({ timeout: 20_000 });
    await expect(status(bo!)).toHaveText(/^running \d+ s$/, { timeout: 30_000 });

    // Cy asks again while Bo runs: first in line now; Bo stops and Cy runs.
    await cy!.getByTestId('run').click();
    await expect(status(cy!)).toHaveText(/^waiting: the agent is full: you are 1st in line, about \d+ s$/);
    await bo!.getByTestId('stop').click();
    await expect(bo!.getByTestId('run')).toBeEnabled({ timeout: 20_000 });
    await expect(status(cy!)).toHaveText(/^running \d+ s$/, { timeout: 30_000 });
    await cy!.getByTestId('stop').click();
    for (const p of [ada!, bo!, cy!]) {
      await expect(p.getByTestId('run')).toBeEnabled({ timeout: 20_000 });
      await expect(p.getByTestId('learner-status')).toHaveText('connected');
    }
  });
});
