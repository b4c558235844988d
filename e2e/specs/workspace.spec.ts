import { connected, expect, openPlayground, seedSnippet, shot, test } from '../lib/test';

test('files can be added, renamed and deleted, and survive a reload', async ({ page, servers }) => {
  await seedSnippet(page, servers, [{ name: 'main.bpf.c', content: '#include "vmlinux.h"\n' }]);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('add-file').click();
  await page.getByTestId('file-name-input').fill('../evil.h');
  await page.getByTestId('file-name-input').press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'no folders' })).toBeVisible();
  await page.getByTestId('file-name-input').fill('common.h');
  await page.getByTestId('file-name-input').press('Enter');
  await expect(page.getByTestId('tab-common.h')).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('.monaco-editor .view-lines')).toContainText('#ifndef __COMMON_H');

  await page.getByTestId('tab-common.h').dblclick();
  await page.getByTestId('file-name-input').fill('shared.h');
  await page.getByTestId('file-name-input').press('Enter');
  await expect(page.getByTestId('tab-shared.h')).toBeVisible();

  // Autosave is debounced: wait until it has stored the rename (not for the pagehide flush), then reload.
  await expect
    .poll(() => page.evaluate(() => window.localStorage.getItem('bpfplay:workspace') ?? ''))
    .toContain('"shared.h"');
  await page.reload();
  await expect(page.getByTestId('tab-shared.h')).toBeVisible();
  await expect(page.getByTestId('tab-main.bpf.c')).toBeVisible();

  page.once('dialog', (d) => d.accept());
  await page.getByTestId('tab-shared.h').getByRole('button', { name: 'Delete shared.h' }).click();
  await expect(page.getByTestId('tab-shared.h')).toHaveCount(0);
});

test('light theme, help with the shortcuts, examples gallery page', async ({ page, servers }) => {
  await openPlayground(page, servers);
  await page.getByTestId('theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.keyboard.press('Escape');
  await page.locator('body').press('?');
  await expect(page.getByTestId('help')).toContainText('Stop the run');
  await shot(page, '09-help-light');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help')).not.toBeVisible();
  await page.getByTestId('theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.goto(`${servers.web}/examples`);
  const card = page.locator('.gallery-card').first();
  await expect(card).toBeVisible();
  const name = (await card.getAttribute('data-testid'))!.replace('gallery-', '');
  await card.click();
  await expect(page.getByTestId(`tab-${name}.bpf.c`)).toHaveAttribute('aria-selected', 'true');
  await shot(page, '10-gallery-pick');
});
