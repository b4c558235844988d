import { connected, expect, keepTriggering, openPlayground, seedSnippet, shot, test } from '../lib/test';
import { closeDialog, editorText, markedSnippet, shareShortLink, storeSnippet, withToken } from '../lib/share';

test('Share → the short link in a fresh browser has the same files and runs; the same code gets the same id', async ({
  page,
  servers,
  freshPage,
}) => {
  const { marker, files } = markedSnippet();
  await seedSnippet(page, servers, files);
  await openPlayground(page, servers);

  const first = await shareShortLink(page);
  expect(first.note).toContain('New link');
  await shot(page, '20-share-dialog');
  await closeDialog(page);
  const again = await shareShortLink(page);
  expect(again.id, 'sharing the same code twice gives the same id').toBe(first.id);
  expect(again.note).toContain('Already shared');
  await closeDialog(page);
  await expect(page.getByTestId('shared-id')).toHaveText(`/s/${first.id}`);

  // Someone else opens the link: no saved workspace, no cookies.
  const reader = await freshPage();
  await reader.goto(withToken(servers, first.url));
  await expect(reader.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
  await expect(reader.locator('[data-testid^="tab-"]')).toHaveText(
    ['prog.bpf.c', 'marker.h'].map((n) => new RegExp(n.replace('.', '\\.'))),
  );
  await reader.getByTestId('tab-marker.h').click();
  await expect.poll(() => editorText(reader)).toContain(marker);
  await reader.getByTestId('tab-prog.bpf.c').click();
  await expect.poll(() => editorText(reader)).toContain('bpf_printk(MARK');
  // A first visit has nothing to lose: no undo offer.
  await expect(reader.getByTestId('undo-banner')).toHaveCount(0);

  await connected(reader);
  const stop = keepTriggering('/bin/true');
  try {
    await reader.getByTestId('run').click();
    await reader.getByTestId('pane-tab-console').click();
    // The marker comes from marker.h: the header travelled with the program.
    await expect(reader.getByTestId('printk-line').locator('.text').filter({ hasText: marker }).first()).toBeVisible();
  } finally {
    stop();
  }
  await reader.getByTestId('stop').click();
  await expect(reader.getByTestId('status')).toContainText('stopped');
});

test('editing a shared snippet and sharing again makes a new id that says where it was forked from', async ({
  servers,
  freshPage,
}) => {
  const { files } = markedSnippet();
  const first = { id: await storeSnippet(servers, files) };
  const reader = await freshPage();
  await reader.goto(withToken(servers, `/s/${first.id}`));
  await expect(reader.getByTestId('shared-id')).toHaveText(`/s/${first.id}`);
  await expect.poll(() => editorText(reader)).toContain('bpf_printk(MARK');

  await reader.getByTestId('editor').locator('.view-lines').click();
  await reader.keyboard.press('Control+End');
  await reader.keyboard.type('// forked\n');
  const fork = await shareShortLink(reader);
  expect(fork.id).not.toBe(first.id);
  await expect(reader.getByTestId('share-short-note')).toContainText(`forked from /s/${first.id}`);
  await closeDialog(reader);
  await expect(reader.getByTestId('forked-from')).toContainText(first.id);
  await expect(reader.getByTestId('forked-from').locator('a')).toHaveAttribute('href', `/s/${first.id}`);
  expect(new URL(reader.url()).pathname, 'the address follows the new link').toBe(`/s/${fork.id}`);
  const stored = (await (await fetch(`${servers.web}/api/snippets/${fork.id}`)).json()) as {
    forkedFrom?: string;
    files: { content: string }[];
  };
  expect(stored.forkedFrom).toBe(first.id);
  expect(stored.files[0]!.content).toContain('// forked');
  await shot(reader, '21-forked');

  // Reloading /s/<id> after editing it keeps the edits, and offers the shared version.
  await reader.getByTestId('editor').locator('.view-lines').click();
  await reader.keyboard.press('Control+End');
  await reader.keyboard.type('// more');
  await reader.reload();
  await expect(reader.getByTestId('share-kept-edits')).toContainText(`Showing your edits of /s/${fork.id}`);
  await expect.poll(() => editorText(reader)).toContain('// more');
  await reader.getByTestId('share-revert').click();
  await expect.poll(() => editorText(reader)).not.toContain('// more');
  await expect.poll(() => editorText(reader)).toContain('// forked');
});

test('a snippet over the size cap is not shared, and the dialog says why and by how much', async ({
  page,
  servers,
}) => {
  // 70,000 bytes of comment: over the 64 KiB cap for all files together.
  await seedSnippet(page, servers, [
    { name: 'big.bpf.c', content: `// ${'x'.repeat(70_000)}\nchar LICENSE[] SEC("license") = "GPL";\n` },
  ]);
  await openPlayground(page, servers);
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-error')).toContainText(
    /snippet is 700\d\d bytes; the limit is 65536 bytes \(64 KiB\) for all files together/,
  );
  // Downloads still work for a snippet too big to store.
  await expect(page.getByTestId('share-tar')).toBeEnabled();
});

test("the server's rate-limit answer is shown as it is, with when to retry", async ({
  page,
  servers,
  consoleGuard,
}) => {
  // Chromium logs every 4xx answer as a console error; this one is the point of the test.
  consoleGuard.allow(/status of 429/);
  // The real limit is 30 shares, then 20 a minute, per client; exhausting it would starve the other
  // specs, so the server's 429 (the body and header packages/share sends) is staged for this page.
  await page.route('**/api/snippets', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'retry-after': '42', 'content-type': 'application/json' },
      body: JSON.stringify({
        error: 'too many shares from local: the limit is 30 at once, then 20 per minute; try again in 42 s',
      }),
    }),
  );
  await seedSnippet(page, servers, markedSnippet().files);
  await openPlayground(page, servers);
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-error')).toContainText(
    'Not shared: too many shares from local: the limit is 30 at once, then 20 per minute; try again in 42 s.',
  );
  // The link with the code in it needs no server, so it is still offered.
  await expect(page.getByTestId('share-fragment-url')).toHaveValue(/#v1\//);
});
