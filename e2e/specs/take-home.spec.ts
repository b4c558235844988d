import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { connected, expect, fullyShown, openPlayground, shot, test } from '../lib/test';

/**
 * Taking a program home and testing packets: a learner exports the snippet as a libbpf project and
 * gets an archive that holds what `make` needs; a learner opens the Packet lab on an XDP example
 * (at 1280×800 and at 1024×768) and sees the verdict and the rewritten fields.
 */

async function openExample(page: Page, name: string): Promise<void> {
  if ((await page.getByTestId(`example-${name}`).count()) === 0) await page.getByTestId('toggle-examples').click();
  await page.getByTestId(`example-${name}`).click();
  await expect(page.getByTestId(`tab-${name}.bpf.c`)).toHaveAttribute('aria-selected', 'true');
}

test.use({ viewport: { width: 1280, height: 800 } });

test('Export: the learner gets the libbpf project as .tar or .zip, or the compiled .o alone', async ({
  page,
  servers,
}) => {
  await openPlayground(page, servers);
  await connected(page);
  await openExample(page, 'execsnoop');
  await fullyShown(page, page.getByTestId('export'), { wholeHeight: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toBe('execsnoop.tar');
  const tar = await download.path();
  const names = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n');
  for (const f of [
    'execsnoop/execsnoop.bpf.c',
    'execsnoop/execsnoop.h',
    'execsnoop/execsnoop.c',
    'execsnoop/Makefile',
    'execsnoop/README.md',
    'execsnoop/include/bpf/bpf_helpers.h',
    'execsnoop/bpfplay_print.h',
  ])
    expect(names).toContain(f);
  const loader = execFileSync('tar', ['-xOf', tar, 'execsnoop/execsnoop.c'], { encoding: 'utf8' });
  expect(loader).toContain('#include "execsnoop.skel.h"');
  expect(loader).toContain('"targ-uid"');
  const makefile = execFileSync('tar', ['-xOf', tar, 'execsnoop/Makefile'], { encoding: 'utf8' });
  expect(makefile).toContain('btf dump file $(VMLINUX_BTF) format c');
  await expect(page.getByTestId('export')).toHaveText('Export');

  // The same project as a .zip (Windows opens it natively): the format menu beside the button.
  const format = page.getByTestId('export-format');
  await fullyShown(page, format, { wholeHeight: true });
  await expect(format).toHaveAccessibleName('Export format');
  await format.selectOption('zip');
  const [zipped] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(zipped.suggestedFilename()).toBe('execsnoop.zip');
  const zipNames = execFileSync('unzip', ['-Z1', await zipped.path()], { encoding: 'utf8' })
    .trim()
    .split('\n');
  for (const f of ['execsnoop/execsnoop.bpf.c', 'execsnoop/execsnoop.c', 'execsnoop/Makefile', 'execsnoop/README.md'])
    expect(zipNames).toContain(f);
  expect(execFileSync('unzip', ['-p', await zipped.path(), 'execsnoop/execsnoop.c'], { encoding: 'utf8' })).toBe(
    loader,
  );
  await expect(page.getByTestId('export')).toHaveText('Export');

  // The compiled object alone, chosen and downloaded from the keyboard: Tab from the button reaches the menu.
  await page.getByTestId('export').focus();
  await page.keyboard.press('Tab');
  await expect(format).toBeFocused();
  await format.selectOption('o');
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByTestId('export')).toBeFocused();
  const [object] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(object.suggestedFilename()).toBe('execsnoop.bpf.o');
  const elf = readFileSync(await object.path());
  expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]); // \x7fELF
  expect(elf.readUInt16LE(18)).toBe(247); // e_machine: EM_BPF
  expect(execFileSync('readelf', ['-S', await object.path()], { encoding: 'utf8' })).toContain('.BTF');
});

test('Packet lab: xdppong turns an ICMP echo into a reply (XDP_TX) and passes UDP, on screen at 1280×800 and 1024×768; flowdissect shows its flow keys', async ({
  page,
  servers,
}) => {
  await openPlayground(page, servers);
  await connected(page);
  await openExample(page, 'xdppong');
  const tab = page.getByTestId('pane-tab-packet');
  await fullyShown(page, tab, { wholeHeight: true });
  await tab.click();
  // The example's own first check chose the packet: ICMP echo.
  await expect(page.getByTestId('packet-preset')).toHaveValue('icmp');
  await page.getByTestId('packet-run').click();
  await expect(page.getByTestId('packet-verdict')).toHaveText('XDP_TX', { timeout: 60_000 });
  const changed = page.getByTestId('packet-diff-row');
  await expect(changed.filter({ hasText: 'echo reply' })).toHaveCount(1);
  await expect(changed.filter({ hasText: '10.99.0.1' })).toHaveCount(2);
  await expect(page.getByTestId('packet-map-changes')).toContainText('replies[');
  await shot(page, 'packet-lab-1280x800');

  // A projector: the tab and the form still fit, and a UDP packet goes through untouched.
  await page.setViewportSize({ width: 1024, height: 768 });
  await fullyShown(page, tab, { wholeHeight: true });
  await fullyShown(page, page.getByTestId('packet-run'), { wholeHeight: true });
  await page.getByTestId('packet-preset').selectOption('udp');
  await page.getByTestId('packet-run').click();
  await expect(page.getByTestId('packet-verdict')).toHaveText('XDP_PASS', { timeout: 60_000 });
  await expect(page.getByTestId('packet-summary')).toHaveText('packet out: unchanged');
  await shot(page, 'packet-lab-1024x768');

  // A flow dissector: the packet goes through unchanged, and the pane shows the flow keys it filled in.
  await openExample(page, 'flowdissect');
  await page.getByTestId('pane-tab-packet').click();
  await expect(page.getByTestId('packet-preset')).toHaveValue('udp');
  await page.getByTestId('packet-run').click();
  await expect(page.getByTestId('packet-verdict')).toHaveText('BPF_OK', { timeout: 60_000 });
  const key = (name: string) => page.locator(`[data-testid="flow-key-row"][data-key="${name}"] td`).nth(1);
  await expect(key('ip_proto')).toHaveText('17 UDP');
  await expect(key('ipv4_src')).toHaveText('10.99.0.2');
  await expect(key('dport')).toHaveText('53');
  await expect(page.getByTestId('packet-summary')).toHaveText('packet out: unchanged');
  // Below the packet form at 1024×768: the pane scrolls to it.
  await page.getByTestId('flow-keys').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('flow-keys')).toBeInViewport();
});
