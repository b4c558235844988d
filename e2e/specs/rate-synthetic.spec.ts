import { expect, seedSnippet, shot, test } from '../lib/test';
import { startSyntheticAgent } from '../lib/syntheticAgent';
import { measureFrames } from '../lib/frames';

test('the page alone at 100k records/s: frames keep coming, rows stay capped (figures printed)', async ({
  page,
  servers,
}) => {
  const agent = await startSyntheticAgent(100_000);
  try {
    await seedSnippet(page, servers, [{ name: 'x.bpf.c', content: 'int x;\n' }]);
    const u = new URL(servers.web);
    u.searchParams.set('token', 'synthetic');
    u.searchParams.set('agent', agent.url);
    await page.goto(u.toString());
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ready');
    await page.getByTestId('run').click();
    await page.getByTestId('pane-tab-events').click();
    // The page asks for binary events (raw records it decodes with the schema's layout).
    await expect.poll(() => agent.askedForBinary()).toBe(true);
    await expect(page.getByTestId('event-row').first()).toBeVisible();
    // Measure the steady state: the kept-records ring is full.
    await expect(page.getByTestId('events-counts')).toContainText('last 50.0k kept');
    const sentBefore = agent.sent();
    const m = await measureFrames(page);
    const sent = agent.sent() - sentBefore;
    const domRows = await page.getByTestId('event-row').count();
    const counts = await page.getByTestId('events-counts').innerText();
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    console.log(
      `[rate-synthetic] agent sent ${Math.round(sent / (m.ms / 1000))} records/s; page drew ${(m.frames / (m.ms / 1000)).toFixed(0)} frames/s, ` +
        `longest gap ${m.maxGapMs.toFixed(0)} ms, ${m.longTasks} long tasks (>50 ms) in ${(m.ms / 1000).toFixed(1)} s; ${domRows} rows in the DOM, ${nodes} elements in the document; ${counts}`,
    );
    // Following the tail at full rate, the row elements stay the same ones (their text changes):
    // none is added or removed, so the DOM does not churn thousands of nodes a second.
    const rowChurn = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const box = document.querySelector('[data-testid="events-table"]')!;
          let n = 0;
          const mo = new MutationObserver((list) =>
            list.forEach((m) => (n += m.addedNodes.length + m.removedNodes.length)),
          );
          mo.observe(box, { childList: true });
          setTimeout(() => (mo.disconnect(), resolve(n)), 2000);
        }),
    );
    expect(rowChurn).toBe(0);
    // Typing in the filter box still works while the stream runs.
    await page.getByTestId('events-filter').fill('comm=bash');
    await expect(page.getByTestId('event-row').first()).toContainText('bash');
    await shot(page, '17-events-100k-synthetic');
    expect(domRows).toBeLessThan(100);
    await expect(page.getByTestId('events-counts')).toContainText('last 50.0k kept');
    await page.getByTestId('stop').click();
    await expect(page.getByTestId('status')).toContainText('stopped: user');
  } finally {
    await agent.close();
  }
});
