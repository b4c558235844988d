import type { Page } from '@playwright/test';
import { connected, editorReady, expect, openPlayground, seedSnippet, shot, test } from '../lib/test';

/**
 * A learner's first five minutes of not losing work: they write code, name it, open a gallery
 * example (the page asks first), start a New one, and find their code again in My snippets —
 * after a reload too, with its earlier versions.
 */

const editorText = (page: Page) =>
  page.locator('.monaco-editor .view-lines').evaluate((el) => (el as HTMLElement).innerText.replace(/\u00a0/g, ' '));

async function typeAtTop(page: Page, text: string) {
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type(text);
}

test('edited code is never replaced without asking, and comes back from My snippets', async ({ page, servers }) => {
  test.setTimeout(180_000);
  await seedSnippet(page, servers, [{ name: 'mine.bpf.c', content: '// my first tracer\nint x;\n' }]);
  await openPlayground(page, servers);
  await connected(page);

  // A title of their own, kept with the snippet.
  await page.getByTestId('snippet-title').fill('my open tracer');
  await typeAtTop(page, '// edited\n');
  await expect.poll(() => editorText(page)).toContain('// edited');

  // A gallery example: asked first; "Keep editing" keeps everything as it is.
  await page.getByTestId('example-execsnoop').click();
  const ask = page.getByTestId('replace');
  await expect(ask).toBeVisible();
  await expect(ask).toContainText('“my open tracer” has your edits');
  await shot(page, 'learner-replace-ask');
  await page.getByTestId('replace-cancel').click();
  await expect(ask).toBeHidden();
  expect(await editorText(page)).toContain('// my first tracer');
  await expect(page.getByTestId('snippet-title')).toHaveValue('my open tracer');

  // This time yes: the example opens; the notice sits in its own strip above the output, covering nothing.
  await page.getByTestId('example-execsnoop').click();
  await page.getByTestId('replace-confirm').click();
  await expect(page.getByTestId('tab-execsnoop.bpf.c')).toHaveAttribute('aria-selected', 'true');
  const undo = page.getByTestId('undo-banner');
  await expect(undo).toBeVisible();
  const u = (await undo.boundingBox())!;
  for (const region of ['pane-tab-problems', 'editor']) {
    const r = (await page.getByTestId(region).boundingBox())!;
    expect(u.y + u.height, `the notice ends above ${region}`).toBeLessThanOrEqual(r.y + 1);
  }
  await expect(page.getByTestId('snippet-title')).toHaveAttribute('placeholder', /execsnoop/);

  // An example left as it was is replaced by New without a question.
  await page.getByTestId('new-snippet').click();
  await expect(page.getByTestId('replace')).toBeHidden();
  await expect(page.getByTestId('tab-hello.bpf.c')).toBeVisible();
  await expect(page.getByTestId('snippet-title')).toHaveValue('');

  // After a reload, My snippets lists their tracer, with versions, and opens it again.
  await page.reload();
  await editorReady(page);
  await page.getByTestId('open-snippets').click();
  const entry = page.getByTestId('snippet-entry').filter({ hasText: 'my open tracer' });
  await expect(entry).toHaveCount(1);
  await entry.getByTestId('snippet-history').click();
  await expect(entry.getByTestId('snippet-version').first()).toBeVisible();
  await shot(page, 'learner-my-snippets');
  await entry.getByTestId('snippet-open').click();
  await expect(page.getByTestId('tab-mine.bpf.c')).toBeVisible();
  await expect.poll(() => editorText(page)).toContain('// edited');
  await expect(page.getByTestId('snippet-title')).toHaveValue('my open tracer');

  // Its oldest version (before the edit) opens too — after asking, since the current text is edited.
  await page.getByTestId('open-snippets').click();
  await entry.getByTestId('snippet-history').click();
  await entry.getByTestId('snippet-version-open').last().click();
  await page.getByTestId('replace-confirm').click();
  await expect.poll(() => editorText(page)).not.toContain('// edited');
  expect(await editorText(page)).toContain('// my first tracer');
});
