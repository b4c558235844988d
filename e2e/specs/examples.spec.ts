import { connected, exampleMeta, expect, keepTriggering, openPlayground, shot, test } from '../lib/test';

test('hello: pick the example, Run, printk lines arrive in the Console', async ({ page, servers }) => {
  const meta = exampleMeta('hello');
  await openPlayground(page, servers);
  // The token came in the URL; the app keeps it and takes it out of the address bar.
  expect(new URL(page.url()).searchParams.get('token')).toBeNull();
  await connected(page);
  await shot(page, '01-connected');

  await page.getByTestId('example-hello').click();
  await expect(page.getByTestId('tab-hello.bpf.c')).toHaveAttribute('aria-selected', 'true');
  const stop = keepTriggering(meta.trigger ?? '/bin/true');
  try {
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toContainText('running');
    await page.getByTestId('pane-tab-console').click();
    const line = page.getByTestId('printk-line').first();
    await expect(line).toBeVisible();
    // The example's own expectation (meta.json) against the text of a printk line.
    if (meta.expect.printk)
      await expect(
        page
          .getByTestId('printk-line')
          .locator('.text')
          .filter({ hasText: new RegExp(meta.expect.printk) })
          .first(),
      ).toBeVisible();
    await shot(page, '02-hello-console');
  } finally {
    stop();
  }
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped: user');
});

test('execsnoop: decoded records fill the Events table; filter and pause work', async ({ page, servers }) => {
  exampleMeta('execsnoop');
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('example-execsnoop').click();
  // A process name no other process on the machine has, so the filter has something to find.
  const stop = keepTriggering('cp /bin/true /tmp/bpfplay-e2e-marker && /tmp/bpfplay-e2e-marker', 150);
  try {
    await page.getByTestId('run').click();
    await page.getByTestId('pane-tab-events').click();
    await expect(page.getByTestId('event-row').first()).toBeVisible();
    // Columns come from the record's fields (struct event), not a fixed list.
    const head = page.locator('.table-head');
    await expect(head).toContainText('pid');
    await expect(head).toContainText('comm');
    await page.getByTestId('events-filter').fill('comm=bpfplay-e2e');
    await expect(page.getByTestId('event-row').first()).toContainText('bpfplay-e2e');
    await expect(page.getByTestId('events-counts')).toContainText('shown');
    await shot(page, '03-execsnoop-events');
    await page.getByTestId('events-filter').fill('');
    await page.getByTestId('events-pause').click();
    await expect(page.getByTestId('events-pause')).toContainText('resume');
    await expect(page.getByTestId('events-pause')).toContainText(/\+[1-9]/);
    await page.getByTestId('events-pause').click();
  } finally {
    stop();
  }
  await page.keyboard.press('Control+.');
  await expect(page.getByTestId('status')).toContainText('stopped: user');
  await expect(page.getByTestId('events-counts')).toContainText('dropped');
});
