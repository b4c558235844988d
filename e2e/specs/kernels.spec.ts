import { connected, expect, keepTriggering, openPlayground, shot, test } from '../lib/test';
import { startOwnAgent, type OwnAgent } from '../lib/ownAgent';

/**
 * A learner's first minutes with the kernel matrix: pick host + 5.10 in the Kernels tab, run the
 * kernel-diff example and see both columns, the CO-RE relocations that resolve differently on
 * 5.10 highlighted (task_struct::__state does not exist there, nor bpf_loop; 6.1 resolves exactly
 * as this host does, measured); then pick 6.1 and run a kprobe, which the host refuses (no kprobes
 * here) with the reason, while the 6.1 microVM runs it and its output arrives. Real agent, real
 * qemu guests (TCG here).
 *
 * The agent is the spec's own, started as a workshop would start it, with `--warm-guests 5.10,6.1`,
 * and the runs wait until its pool says both guests are booted: the page is what is tested here, and
 * a cold boot under TCG on a loaded CI machine can exceed the product's own 60 s boot limit (it did).
 * Cold boots (`booting` → `loading`) and the boot limit are the matrix test's (apps/agent/test/guest).
 */
let agent: OwnAgent | undefined;
test.afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

test('Kernels: one object on host and 5.10 side by side; a kprobe refused on host runs in 6.1', async ({
  page,
  servers,
}) => {
  // Bounds, not expectations: an agent start, two guest boots one after the other (the pool boots
  // one per core but one) and two runs, on a machine whose both cores CI may be using.
  test.setTimeout(420_000);
  agent = await startOwnAgent({ webOrigin: servers.web, args: ['--warm-guests', '5.10,6.1'] });
  for (const k of ['5.10', '6.1']) {
    // Ready, or the pool gave up on it (GUEST_LIMITS.warmBootAttempts slow boots in a row): then
    // fail now with the agent's words instead of waiting out the test's limit.
    const ready = `warm guest ${k} ready`;
    await agent.waitForOutput(new RegExp(`${ready}|warm guest ${k} failed \\(\\d+ in a row`));
    expect(agent.output(), `the ${k} guest booted (the agent's log)`).toContain(ready);
  }
  await openPlayground(page, { ...servers, agent: agent.wsUrl }, agent.token);
  await connected(page);
  await page.getByTestId('example-kernel-diff').click();
  await expect(page.getByTestId('tab-kernel-diff.bpf.c')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('pane-tab-kernels').click();
  await expect(page.getByTestId('run-target-host'), 'the host is where runs go until the learner picks').toBeChecked();
  await expect(
    page.getByTestId('run-target-5.10'),
    'the agent offers 5.10 (scripts/setup.sh fetches the kernels and builds the guest)',
  ).toBeVisible();
  await page.getByTestId('run-target-5.10').check();

  // The example traces execve: the host needs some, the guest's own processes provide its own.
  const stopTriggering = keepTriggering('/bin/true');
  try {
    await page.getByTestId('run').click();
    const host = page.getByTestId('kernel-col-host');
    const guest = page.getByTestId('kernel-col-5.10');
    await expect(host).toBeVisible();
    await expect(guest).toBeVisible();
    await expect(page.getByTestId('kernel-output-host')).toContainText('state_field_renamed=1', { timeout: 60_000 });
    await expect(page.getByTestId('kernel-output-5.10'), "the 5.10 guest's records, in its column").toContainText(
      /state_field_renamed=0 has_bpf_loop=0/,
      { timeout: 120_000 },
    );
    await expect(page.getByTestId('kernel-verifier-5.10')).toContainText('✓');
    // The same relocations on both kernels; where 5.10 answers differently, the row is marked.
    await expect(
      guest.getByTestId('kernel-core-diff').first(),
      'a relocation that differs from the host',
    ).toBeVisible();
    await expect(host.getByTestId('kernel-core-diff')).toHaveCount(0);
    await expect(guest).toContainText(/\d+ differ from the host/);
    await shot(page, '30-kernels-kernel-diff');
  } finally {
    stopTriggering();
  }
  if (await page.getByTestId('stop').isVisible()) await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped', { timeout: 60_000 });

  // The picks stay with the next example (host kept); a kprobe, which this host cannot attach, on 6.1.
  await page.getByTestId('example-kprobe-open').click();
  await expect(page.getByTestId('tab-kprobe-open.bpf.c')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('pane-tab-kernels').click();
  await page.getByTestId('run-target-5.10').uncheck();
  await page.getByTestId('run-target-6.1').check();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('kernel-state-host')).toHaveText('attach-error', { timeout: 60_000 });
  await expect(page.getByTestId('kernel-outcome-host'), 'the host says why it ran nothing').toContainText(/kprobe/);
  await expect(page.getByTestId('kernel-output-6.1')).toContainText(/kprobe do_sys_openat2: \S+ opens \//, {
    timeout: 120_000,
  });
  // The Console labels each line with the kernel that printed it.
  await page.getByTestId('pane-tab-console').click();
  await expect(page.getByTestId('printk-target').first()).toHaveText('6.1');
  await page.getByTestId('pane-tab-kernels').click();
  await shot(page, '31-kernels-kprobe');
  if (await page.getByTestId('stop').isVisible()) await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped', { timeout: 60_000 });
});
