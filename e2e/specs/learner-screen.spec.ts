import { connected, expect, fullyShown, openPlayground, shotAtSizes, test } from '../lib/test';

/**
 * A learner in a workshop room, the page on a 1024×768 projector: every output tab can be reached,
 * the CO-RE table reads as a table, and the text can be made bigger for the back row.
 */

test.use({ viewport: { width: 1024, height: 768 } });

test('at 1024×768 every output tab is reachable, the CO-RE table is readable, and the text size can grow', async ({
  page,
  servers,
}) => {
  await openPlayground(page, servers);
  await connected(page);
  // The gallery starts closed at this width (it would squeeze the editor); ☰ opens it.
  await expect(page.getByTestId('example-execsnoop')).toHaveCount(0);
  await page.getByTestId('toggle-examples').click();
  await page.getByTestId('example-execsnoop').click();
  await expect(page.getByTestId('tab-execsnoop.bpf.c')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('toggle-examples').click();

  for (const tab of ['problems', 'console', 'events', 'maps', 'verifier', 'disasm', 'core', 'params', 'log'])
    await fullyShown(page, page.getByTestId(`pane-tab-${tab}`));
  await page.getByTestId('pane-tab-log').click();
  await expect(page.getByTestId('pane-tab-log')).toHaveAttribute('aria-selected', 'true');
  // The trigger's command keeps a readable stretch (it was cut to one letter).
  expect((await page.getByTestId('trigger-command').boundingBox())!.width).toBeGreaterThan(100);

  // CO-RE: each cell at least a few characters wide, never a column of single letters.
  await page.getByTestId('pane-tab-core').click();
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('core-relo').first()).toBeVisible();
  const narrowest = await page
    .getByTestId('pane-core')
    .locator('tbody td')
    .evaluateAll((tds) => Math.min(...tds.map((td) => td.getBoundingClientRect().width)));
  expect(narrowest).toBeGreaterThan(40);
  await shotAtSizes(page, 'learner-core-narrow');

  // Bigger text for the back row: the panes and the editor grow, and it is kept after a reload.
  const lineHeight = () =>
    page
      .locator('.monaco-editor .view-line')
      .first()
      .evaluate((el) => el.getBoundingClientRect().height);
  const before = await lineHeight();
  await page.getByTestId('open-settings').click();
  await page.getByTestId('settings-font-size').selectOption('16');
  await page.keyboard.press('Escape');
  await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('16px');
  await expect.poll(lineHeight).toBeGreaterThan(before);
  await page.reload();
  await connected(page);
  await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('16px');
  for (const tab of ['problems', 'params', 'log']) await fullyShown(page, page.getByTestId(`pane-tab-${tab}`));
  for (const button of ['run', 'new-snippet', 'open-snippets', 'share', 'open-settings', 'open-help'])
    await fullyShown(page, page.getByTestId(button));
  await shotAtSizes(page, 'learner-font-16');
});
