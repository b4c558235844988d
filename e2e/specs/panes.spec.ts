import { connected, editorLineOf, exampleMeta, expect, keepTriggering, openPlayground, shot, test } from '../lib/test';
import type { Page } from '@playwright/test';

async function runExample(page: Page, name: string, mode: 'run' | 'compile' = 'run') {
  await page.getByTestId(`example-${name}`).click();
  await expect(page.getByTestId(`tab-${name}.bpf.c`)).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId(mode === 'run' ? 'run' : 'compile').click();
}

test('Maps: a log2 histogram is drawn as a bar chart, counters as a time series', async ({ page, servers }) => {
  const hist = exampleMeta('runqlat');
  const counters = exampleMeta('syscount');
  await openPlayground(page, servers);
  await connected(page);

  let stop = keepTriggering(hist.trigger!, 100);
  try {
    await runExample(page, 'runqlat');
    await expect(page.getByTestId('status')).toContainText('running');
    await page.getByTestId('pane-tab-maps').click();
    const card = page.getByTestId(`map-${hist.expect.map!.name}`);
    await expect(card.getByTestId('hist-chart').locator('canvas').first()).toBeVisible();
    await card.scrollIntoViewIfNeeded();
    await shot(page, '11-maps-histogram');
  } finally {
    stop();
  }
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped');

  stop = keepTriggering(counters.trigger!, 100);
  try {
    await runExample(page, 'syscount');
    await page.getByTestId('pane-tab-maps').click();
    const card = page.getByTestId(`map-${counters.expect.map!.name}`);
    // Two snapshots make a line; the legend names the keys.
    await expect(card.getByTestId('counter-chart').locator('canvas').first()).toBeVisible({ timeout: 30_000 });
    await expect(card.locator('table tbody tr').first()).toBeVisible();
    // A few snapshots, so the screenshot shows lines rather than a first point.
    await expect
      .poll(async () => Number(await card.getByTestId('counter-chart').getAttribute('data-points')), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(3);
    await shot(page, '12-maps-counters');
  } finally {
    stop();
  }
  await page.getByTestId('stop').click();
});

test('a policy refusal names the helper and marks its line', async ({ page, servers }) => {
  const fails = exampleMeta('refused-send-signal').expect.fails!;
  await openPlayground(page, servers);
  await connected(page);
  await runExample(page, 'refused-send-signal');
  await expect(page.getByTestId('status')).toContainText('refused');
  await page.getByTestId('pane-tab-problems').click();
  const problem = page.getByTestId('problem').first();
  await expect(problem).toContainText(`refused-send-signal.bpf.c:${fails.line}`);
  await expect(problem).toContainText(new RegExp(fails.reason));
  expect(await editorLineOf(page, '.bp-gutter-error')).toBe(fails.line);
  await shot(page, '13-policy-refused');
});

test('Disassembly and editor point at each other; CO-RE and Params panes show the program', async ({
  page,
  servers,
}) => {
  await openPlayground(page, servers);
  await connected(page);
  await runExample(page, 'execsnoop', 'compile');
  await expect(page.getByTestId('status')).toContainText('compiled');
  await expect(page.getByTestId('status')).toContainText('stopped');

  await page.getByTestId('pane-tab-disasm').click();
  const source = page.getByTestId('dis-source').filter({ hasText: 'bpf_ringbuf_reserve' }).first();
  await expect(source).toBeVisible();
  const line = Number(await source.getAttribute('data-line'));
  expect(line).toBeGreaterThan(0);
  // Disasm → editor: the cursor lands on that source line.
  await source.click();
  await expect(page.locator('.monaco-editor .line-numbers.active-line-number')).toHaveText(String(line));
  // Editor → disasm: the rows compiled from the cursor's line are highlighted.
  await expect(page.locator('.dis-linked').first()).toBeVisible();
  await expect(page.locator(`.dis-linked[data-line="${line}"]`).first()).toBeVisible();
  await shot(page, '14-disasm');

  await page.getByTestId('pane-tab-core').click();
  await expect(page.getByTestId('core-relo').first()).toBeVisible();
  await expect(page.getByTestId('pane-core')).toContainText('task_struct');
  await shot(page, '15-core');

  await page.getByTestId('pane-tab-params').click();
  await expect(page.getByTestId('pane-params')).toContainText('targ_uid');
});
