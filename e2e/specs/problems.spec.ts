import { connected, editorLineOf, exampleMeta, expect, openPlayground, seedSnippet, shot, test } from '../lib/test';

const broken = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execs(void *ctx)
{
\tint n = 0;

\tn++;
\tbpf_printk("n=%d", n);
\t/* line 11 uses a name that does not exist */
\treturn missing_variable;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('a compile error is a marker on its line, with the message on hover; fixing it compiles', async ({
  page,
  servers,
}) => {
  await seedSnippet(page, servers, [{ name: 'oops.bpf.c', content: broken }]);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('compile failed');
  await expect(page.getByTestId('status')).toContainText('oops.bpf.c:12');
  // The Problems pane names file:line:col.
  await page.getByTestId('pane-tab-problems').click();
  await expect(page.getByTestId('problem').first()).toContainText('oops.bpf.c:12:');
  await expect(page.getByTestId('problem').first()).toContainText('missing_variable');
  // The marker is drawn on line 12 of the editor.
  await expect(page.locator('.bp-gutter-error')).toHaveCount(1);
  expect(await editorLineOf(page, '.bp-gutter-error')).toBe(12);
  // The squiggle sits under Monaco's text layer, so hover by coordinates as a mouse would.
  const box = (await page.locator('.squiggly-error').first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.locator('.monaco-hover:not(.hidden)')).toContainText('missing_variable');
  await shot(page, '04-compile-error');

  // Fix the line by typing in the editor, and the next run compiles.
  await page.getByTestId('problem').first().locator('button').click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.type('return 0;');
  await page.keyboard.press('Control+Shift+Enter'); // check only: compile, nothing loaded
  await expect(page.getByTestId('status')).toContainText('compiled');
  await expect(page.getByTestId('status')).toContainText('stopped');
  await expect(page.locator('.bp-gutter-error')).toHaveCount(0);
});

test('a verifier rejection shows the reason and the failing line', async ({ page, servers }) => {
  const name = 'broken-null-check';
  const fails = exampleMeta(name).expect.fails;
  if (!fails || fails.stage !== 'verifier')
    throw new Error(`bpf/${name}/meta.json no longer expects a verifier failure`);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId(`example-${name}`).click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('verifier rejected');
  await page.getByTestId('pane-tab-verifier').click();
  const pane = page.getByTestId('pane-verifier');
  await expect(pane).toBeVisible();
  await expect(pane.getByTestId('verifier-reason')).toHaveText(new RegExp(fails.reason, 'i'));
  if (fails.line !== undefined) {
    await expect(pane.getByTestId('verifier-location')).toHaveText(`${name}.bpf.c:${fails.line}`);
    expect(await editorLineOf(page, '.bp-gutter-error')).toBe(fails.line);
  }
  // The log is there, with the failing line highlighted.
  await expect(pane.locator('.log-hl')).toHaveCount(1);
  await shot(page, '05-verifier-failure');
});
