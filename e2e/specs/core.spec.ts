import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { connected, expect, openPlayground, shot, test } from '../lib/test';

async function checkExample(page: Page, name: string): Promise<void> {
  await page.getByTestId(`example-${name}`).click();
  await expect(page.getByTestId(`tab-${name}.bpf.c`)).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('pane-tab-core').click();
}

async function runCheck(page: Page): Promise<number> {
  await page.getByTestId('core-check').click();
  await expect(page.getByTestId('status')).toContainText('stopped');
  const rows = await page.getByTestId('core-relo').count();
  expect(rows, 'the example has CO-RE relocations').toBeGreaterThan(0);
  return rows;
}

test('CO-RE: pick a bundled kernel, Check, and see each relocation there beside this kernel', async ({
  page,
  servers,
}) => {
  await openPlayground(page, servers);
  await connected(page);
  await checkExample(page, 'coredemo');
  const pick = page.getByTestId('core-target-6.1');
  await expect(
    pick,
    'the agent offers 6.1 (scripts/kernels.sh fetches the kernel matrix, its BTF included)',
  ).toBeVisible();
  await pick.check();
  const rows = await runCheck(page);
  await expect(page.getByTestId('core-col-this kernel')).toBeVisible();
  await expect(page.getByTestId('core-col-6.1')).toBeVisible();
  // One result per relocation for that kernel, and a one-line verdict for it.
  await expect(page.getByTestId('core-cell-6.1')).toHaveCount(rows);
  await expect(page.getByTestId('core-summary-6.1')).toContainText(/6\.1: (all \d+ resolve|\d+ of \d+ (fail|resolve))/);
  await shot(page, '24-core-targets');

  // Unpicked, the next Check has no column for it.
  await page.getByTestId('core-target-6.1').uncheck();
  await runCheck(page);
  await expect(page.getByTestId('core-col-6.1')).toHaveCount(0);
});

test('CO-RE: an uploaded BTF becomes a column; a file that is not BTF is refused with the reason', async ({
  page,
  servers,
}) => {
  await openPlayground(page, servers);
  await connected(page);
  await checkExample(page, 'execsnoop');
  // This kernel's own BTF under another name: every relocation must resolve exactly as on this kernel.
  await page.getByTestId('core-upload-input').setInputFiles({
    name: 'vmlinux-copy.btf',
    mimeType: 'application/octet-stream',
    buffer: readFileSync('/sys/kernel/btf/vmlinux'),
  });
  await expect(page.getByTestId('core-targets')).toContainText(/vmlinux-copy \(\d+ types\)/);
  await expect(page.getByTestId('core-target-vmlinux-copy')).toBeChecked();
  const rows = await runCheck(page);
  await expect(page.getByTestId('core-col-vmlinux-copy')).toBeVisible();
  const here = await page.getByTestId('core-cell-this kernel').allInnerTexts();
  const copy = await page.getByTestId('core-cell-vmlinux-copy').allInnerTexts();
  expect(copy).toHaveLength(rows);
  expect(copy).toEqual(here);

  await page
    .getByTestId('core-upload-input')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('this is not BTF\n') });
  await expect(page.getByTestId('core-upload-error')).toContainText(
    'Upload notes.txt refused: "notes.txt" is not raw BTF',
  );
});
