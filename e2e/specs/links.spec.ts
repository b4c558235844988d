import { execFileSync } from 'node:child_process';
import { encodeFragment } from '@bpfplay/share';
import { connected, expect, keepTriggering, openPlayground, seedSnippet, shot, test } from '../lib/test';
import { editorText, markedSnippet, shareShortLink, storeSnippet, withToken } from '../lib/share';

test('a link with the code in its fragment opens the snippet without any /api request', async ({ page, servers }) => {
  const { marker, files } = markedSnippet();
  const api: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) api.push(`${r.method()} ${r.url()}`);
  });
  await page.goto(withToken(servers, '/') + encodeFragment({ files, options: { durationSec: 10 } }));
  await expect(page.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
  await page.getByTestId('tab-marker.h').click();
  await expect.poll(() => editorText(page)).toContain(marker);
  // The run option the link carried.
  await expect(page.getByTestId('duration')).toHaveValue('10');
  // Moved into the saved workspace: a reload must not undo the edits made since.
  expect(new URL(page.url()).hash).toBe('');
  await connected(page);
  expect(api, 'opening a fragment link asks the web server for nothing').toEqual([]);
});

test('a damaged or unknown snippet link shows a banner over the editor, never a blank page', async ({
  page,
  servers,
}) => {
  const whole = encodeFragment({ files: markedSnippet().files });
  // Cut short, as a chat client that wraps long lines does.
  await page.goto(withToken(servers, '/') + whole.slice(0, Math.floor(whole.length / 2)));
  const banner = page.getByTestId('share-link-error');
  await expect(banner).toContainText("This link's snippet could not be opened: the v1 link is damaged");
  await expect(banner).toContainText('Your own snippet is shown instead');
  await expect(page.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
  await shot(page, '22-damaged-link');

  // Pasting another link into the same tab only changes the fragment (no reload).
  await page.evaluate(() => (window.location.hash = '#v9/AAAA'));
  await expect(banner).toContainText('snippet format v9, which this bpfplay cannot read');
  await expect(banner).toContainText('made by a newer bpfplay');
  await page.goto(`${servers.web}/#v1/not*a*link`);
  await expect(banner).toContainText('it contains "*"');
  await expect(page.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
});

test('an embed in an iframe shows the snippet, runs it, and links to the playground', async ({ page, servers }) => {
  const { marker, files } = markedSnippet();
  const id = await storeSnippet(servers, files);
  // A tutorial page on another site, with the embed in an iframe (the token rides in its src).
  await page.setContent(
    `<h1>A tutorial</h1><iframe src="${withToken(servers, `/embed/${id}`)}" width="860" height="480"></iframe>`,
  );
  const frame = page.frameLocator('iframe');
  await expect(frame.getByTestId('embed')).toBeVisible();
  await expect(frame.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
  await expect(frame.getByTestId('tab-prog.bpf.c')).toBeVisible();
  await expect(frame.getByTestId('open-in-playground')).toHaveAttribute('href', `/s/${id}`);
  await expect(frame.getByTestId('run')).toBeEnabled();
  const stop = keepTriggering('/bin/true');
  try {
    await frame.getByTestId('run').click();
    await expect(frame.getByTestId('printk-line').locator('.text').filter({ hasText: marker }).first()).toBeVisible();
    await shot(page, '23-embed');
  } finally {
    stop();
  }
  await frame.getByTestId('stop').click();
  await expect(frame.getByTestId('status')).toContainText('stopped');
});

test('copy as Markdown, download .tar and .zip', async ({ page, servers, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: servers.web });
  const { marker, files } = markedSnippet();
  await seedSnippet(page, servers, files);
  await openPlayground(page, servers);
  const { id, url } = await shareShortLink(page);

  await page.getByTestId('share-markdown').click();
  await expect(page.getByTestId('share-markdown')).toHaveAttribute('data-state', 'copied');
  const md = await page.evaluate(() => navigator.clipboard.readText());
  expect(md).toContain('`marker.h`');
  expect(md).toContain('```c\n#include "vmlinux.h"');
  expect(md).toContain(`[Open in bpfplay](${url})`);

  await page.getByTestId('share-short-copy').click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  const [tar] = await Promise.all([page.waitForEvent('download'), page.getByTestId('share-tar').click()]);
  expect(tar.suggestedFilename()).toBe(`bpfplay-${id}.tar`);
  const tarPath = await tar.path();
  expect(execFileSync('tar', ['-tf', tarPath], { encoding: 'utf8' }).trim().split('\n')).toEqual([
    `bpfplay-${id}/`,
    `bpfplay-${id}/prog.bpf.c`,
    `bpfplay-${id}/marker.h`,
  ]);
  expect(execFileSync('tar', ['-xOf', tarPath, `bpfplay-${id}/marker.h`], { encoding: 'utf8' })).toContain(marker);

  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('share-zip').click()]);
  expect(zip.suggestedFilename()).toBe(`bpfplay-${id}.zip`);
  const listed = execFileSync(
    'python3',
    [
      '-c',
      'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.read(sys.argv[2]).decode())',
      await zip.path(),
      `bpfplay-${id}/marker.h`,
    ],
    { encoding: 'utf8' },
  );
  expect(listed).toContain(marker);
});
