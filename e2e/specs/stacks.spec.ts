import {
  connected,
  exampleMeta,
  expect,
  keepTriggering,
  openPlayground,
  pauseEventsAtTop,
  shot,
  test,
} from '../lib/test';

/**
 * A learner's first minutes with a real profiler: open libbpf-tools' profile from the gallery, run
 * it, read the warning that the playground sized its maps, see the stacks as a flame graph with a
 * table, zoom into a frame, and find the map sizes in Params to change them for the next run.
 */
test('profile: stacks as a flame graph and a table; the map sizes the playground chose are in Params', async ({
  page,
  servers,
}) => {
  // Compile, a 10240-stack map and the first symbolization take a while on a loaded machine.
  test.setTimeout(240_000);
  const meta = exampleMeta('profile');
  await openPlayground(page, servers);
  await connected(page);

  const stop = keepTriggering(meta.trigger!, 200);
  try {
    await page.getByTestId('example-profile').click();
    await expect(page.getByTestId('tab-profile.bpf.c')).toHaveAttribute('aria-selected', 'true');
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toContainText('running', { timeout: 60_000 });
    await page.getByTestId('pane-tab-maps').click();
    const flame = page.getByTestId('flame-counts');
    await expect(flame.locator('svg .flame-frame').nth(2)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('flame-table-counts').locator('tbody tr').first()).toBeVisible();
    await shot(page, '30-stacks-flame-graph');
    // Zoom into the widest command. The graph is redrawn at each snapshot, so the click may not wait
    // for an element to stay put.
    await flame.locator('svg .flame-frame').nth(1).click({ force: true });
    await expect(flame.getByRole('button', { name: 'reset zoom' })).toBeVisible();
  } finally {
    stop();
  }
  // The run may have reached its time limit while we looked; stop it if it still runs.
  const stopButton = page.getByTestId('stop');
  if (await stopButton.isVisible()) await stopButton.click().catch(() => {});
  await expect(page.getByTestId('status')).toContainText('stopped', { timeout: 30_000 });

  await page.getByTestId('pane-tab-params').click();
  const params = page.getByTestId('pane-params');
  await expect(params).toContainText('map.stackmap.value_size');
  await expect(params).toContainText('map.counts.max_entries');
  await params.getByLabel('map.counts.max_entries').fill('4096');
  await expect(params.locator('.error-text')).toHaveCount(0);
});

/**
 * Stacks that travel inside records (bpf_get_stack() into a ring buffer record, the gallery's
 * openstacks): a record's detail lists its kernel frames by name, and the Maps pane adds every
 * record's stack up into a flame graph.
 */
test('openstacks: a record’s bpf_get_stack() frames by name in its detail, and all records as a flame graph', async ({
  page,
  servers,
}) => {
  test.setTimeout(240_000);
  const meta = exampleMeta('openstacks');
  await openPlayground(page, servers);
  await connected(page);

  const stop = keepTriggering(meta.trigger!, 200);
  try {
    await page.getByTestId('example-openstacks').click();
    await expect(page.getByTestId('tab-openstacks.bpf.c')).toHaveAttribute('aria-selected', 'true');
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toContainText('running', { timeout: 60_000 });
    await page.getByTestId('pane-tab-events').click();
    await page.getByTestId('events-filter').fill('filename=/etc/hostname');
    const rows = page.getByTestId('event-row');
    await expect(rows.first()).toBeVisible({ timeout: 30_000 });
    await pauseEventsAtTop(page);
    await rows.first().click();
    const frames = page.getByTestId('event-detail').getByTestId('event-stack-kstack').locator('li');
    // Innermost first: the tracepoint's own frames, then the syscall entry, every one a symbol.
    await expect(frames.first()).toHaveText(/^\w+\+0x[0-9a-f]+$/);
    await expect(frames.filter({ hasText: /^do_syscall_64\+0x/ })).toHaveCount(1);
    await shot(page, '31-record-stack-detail');

    await page.getByTestId('pane-tab-maps').click();
    const flame = page.getByTestId('flame-events');
    await expect(page.getByTestId('stacks-events')).toContainText('stacks in events records');
    await expect(flame.locator('svg .flame-frame').nth(2)).toBeVisible({ timeout: 30_000 });
    await expect(
      page.getByTestId('flame-table-events').locator('tbody tr').filter({ hasText: 'do_syscall_64+0x' }),
    ).toHaveCount(1);
    await shot(page, '32-record-stacks-flame-graph');
  } finally {
    stop();
  }
  const stopButton = page.getByTestId('stop');
  if (await stopButton.isVisible()) await stopButton.click().catch(() => {});
  await expect(page.getByTestId('status')).toContainText('stopped', { timeout: 30_000 });
});
