import type { Page } from '@playwright/test';
import {
  allowClipboard,
  clipboardText,
  connected,
  exampleMeta,
  expect,
  openPlayground,
  shotAtSizes,
  test,
} from '../lib/test';

/**
 * A learner's first minutes with the gallery's output: pick an example, Run, press "run trigger"
 * because the description says the trigger makes it fire, then read what comes back.
 */

async function pickAndRun(page: Page, name: string) {
  await page.getByTestId(`example-${name}`).click();
  await expect(page.getByTestId(`tab-${name}.bpf.c`)).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('running');
}

test('the trigger: shown with its command, copied, and run by the agent from meta.json', async ({ page, servers }) => {
  const meta = exampleMeta('execsnoop');
  await allowClipboard(page, servers);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('example-execsnoop').click();
  const bar = page.getByTestId('trigger-bar');
  await expect(bar.getByTestId('trigger-command')).toHaveText(meta.trigger!);
  await bar.getByTestId('trigger-copy').click();
  await expect(bar.getByTestId('trigger-copy')).toHaveText('copied');
  expect(await clipboardText(page)).toBe(meta.trigger);
  // Before Run there is nothing for it to make fire: the button says so instead of doing nothing.
  await expect(bar.getByTestId('trigger-run')).toBeDisabled();
  await expect(bar.getByTestId('trigger-run')).toHaveAttribute('title', /Run the program first/);

  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('running');
  await bar.getByTestId('trigger-run').click();
  await expect(bar.getByTestId('trigger-result')).toContainText('ran as nobody (uid 65534): exit 0');
  // The execs it made are in the Events table, as execsnoop's description promised.
  await page.getByTestId('pane-tab-events').click();
  await page.getByTestId('events-filter').fill('uid=65534');
  await expect(
    page
      .getByTestId('event-row')
      .filter({ hasText: /\btrue\b/ })
      .first(),
  ).toBeVisible();
  await page.getByTestId('events-filter').fill('');
  await shotAtSizes(page, 'learner-events');
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped: user');
});

test('a log2 histogram: buckets labelled with their unit, counts on hover, bpftrace text to copy', async ({
  page,
  servers,
}) => {
  await allowClipboard(page, servers);
  await openPlayground(page, servers);
  await connected(page);
  await pickAndRun(page, 'runqlat');
  await page.getByTestId('trigger-run').click();
  await expect(page.getByTestId('trigger-result')).toContainText('exit 0');
  await page.getByTestId('pane-tab-maps').click();
  const card = page.getByTestId('map-hists');
  const chart = card.getByTestId('hist-chart');
  await expect(chart).toHaveAttribute('data-unit', 'us');
  await expect(chart.locator('canvas').first()).toBeVisible();
  // Stopped, the last snapshot stays and the page stops moving under the mouse. Point at the
  // middle of the plot: the bar there is read out with its range, unit and count.
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped: user');
  await chart.locator('.u-over').hover();
  await expect(chart.getByTestId('hist-hover')).toHaveText(/^\[\d+K?, \d+K?\) µs: [\d,]+ \(\d+%\)$/);
  // The same histogram as text, the way bpftrace prints @hist, and on the clipboard.
  await chart.getByTestId('hist-as-text').click();
  const text = await chart.getByTestId('hist-text').textContent();
  expect(text).toMatch(/^@hists \(µs\):\n(\[\d+[KM]?, \d+[KM]?\) +\d+ \|@* *\|\n)+$/);
  await chart.getByTestId('hist-copy').click();
  expect(await clipboardText(page)).toBe(text);
  await chart.getByTestId('hist-as-text').click();
  // runqlat's `start` map holds timestamps: a table, not a chart of rising lines.
  const start = page.getByTestId('map-start');
  await expect(start).toContainText('timestamps');
  await expect(start.getByTestId('counter-chart')).toHaveCount(0);
  await shotAtSizes(page, 'learner-histogram', () => card.scrollIntoViewIfNeeded());
});

test('counters: one colour per line, so the legend tells the keys apart', async ({ page, servers }) => {
  await openPlayground(page, servers);
  await connected(page);
  await pickAndRun(page, 'syscount');
  await page.getByTestId('pane-tab-maps').click();
  const chart = page.getByTestId('map-counts').getByTestId('counter-chart');
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 })
    .toBeGreaterThan(2);
  // syscount sees many syscall numbers: the chart draws the eight busiest, each its own colour.
  const markers = chart.locator('.u-legend .u-marker');
  await expect(markers).toHaveCount(8, { timeout: 30_000 });
  const colours = await markers.evaluateAll((els) => els.map((e) => getComputedStyle(e).borderColor));
  expect(new Set(colours).size, `legend colours: ${colours.join(', ')}`).toBe(8);
  await page.getByTestId('stop').click();
});

test('an iterator’s text has its own pane, as tasklist’s comment promises', async ({ page, servers }) => {
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('example-tasklist').click();
  await expect(page.getByTestId('editor')).toContainText('Iterator pane');
  await page.getByTestId('run').click();
  // Run switches to it by itself: that is where the news is.
  const pane = page.getByTestId('pane-iter');
  await expect(pane).toBeVisible();
  await expect(page.getByTestId('pane-tab-iter')).toHaveAttribute('aria-selected', 'true');
  await expect(pane.getByTestId('iter-dump_task')).toContainText(/PID +TID +PPID +UID +COMM/);
  await expect(pane.getByTestId('iter-lines-dump_task')).toHaveText(/^\d{2,} lines/);
  // Console says where the text went instead of "0 lines" over an empty pane.
  await page.getByTestId('pane-tab-console').click();
  await expect(page.getByTestId('pane-console')).toContainText('0 printk lines');
  await expect(page.getByTestId('pane-console')).toContainText('its text is in the Iterator tab');
});
