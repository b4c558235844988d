import type { Page } from '@playwright/test';
import {
  allowClipboard,
  connected,
  editorLineOf,
  expect,
  openPlayground,
  seedSnippet,
  shot,
  test,
  tokenedUrl,
} from '../lib/test';

/** The saved workspace's files, as the autosave wrote them (a few hundred ms after a change). */
async function savedFiles(page: Page): Promise<{ name: string; content: string }[]> {
  return page.evaluate(() => {
    const raw = localStorage.getItem('bpfplay:workspace');
    return raw ? (JSON.parse(raw) as { snippet: { files: { name: string; content: string }[] } }).snippet.files : [];
  });
}

const program = (body: string) => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_openat")
int learner_prog(void *ctx)
{
${body}
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test.describe('the status bar says what is wrong with the connection, and what to do', () => {
  test('no token at all: "no token", not "wrong token", and Run says why it is off', async ({ page, servers }) => {
    const u = new URL(servers.web);
    u.searchParams.set('agent', servers.agent);
    await page.goto(u.toString());
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'refused');
    await expect(page.getByTestId('connection')).toHaveText('no token');
    await expect(page.getByTestId('banner')).toContainText('No token — the agent needs the token it printed');
    await expect(page.getByTestId('status')).toContainText('no token — open the URL the agent printed');
    await expect(page.getByTestId('status')).not.toContainText('ready');
    await expect(page.getByTestId('run')).toBeDisabled();
    await expect(page.getByTestId('run')).toHaveAttribute('title', /no token/);
  });

  test('a wrong token, then the right one', async ({ page, servers }) => {
    await page.goto(tokenedUrl(servers, 'not-the-token'));
    await expect(page.getByTestId('status')).toContainText('wrong token — open the URL the agent printed');
    await page.goto(tokenedUrl(servers));
    await connected(page);
    await expect(page.getByTestId('status')).toContainText('ready — Ctrl+Enter runs the snippet');
  });

  test('an unreachable agent: where it looked, and that it retries', async ({ page, servers, consoleGuard }) => {
    // Chromium itself logs the refused WebSocket as a console error; that one is the point here.
    consoleGuard.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:9\/ws\?token=.*' failed/);
    const u = new URL(servers.web);
    u.searchParams.set('token', servers.token);
    u.searchParams.set('agent', 'ws://127.0.0.1:9/ws');
    await page.goto(u.toString());
    const said = /agent unreachable at ws:\/\/127\.0\.0\.1:9\/ws — retrying in \d+ s/;
    await expect(page.getByTestId('banner')).toContainText(said);
    await expect(page.getByTestId('status')).toContainText(said);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', /retrying|connecting/);
    await shot(page, '08-unreachable');
  });
});

test('renaming a file keeps its text as it was, rename after rename', async ({ page, servers }) => {
  const content = program('\tbpf_printk("renamed");');
  await seedSnippet(page, servers, [{ name: 'first.bpf.c', content }]);
  await openPlayground(page, servers);
  for (const [from, to] of [
    ['first.bpf.c', 'second.bpf.c'],
    ['second.bpf.c', 'third.bpf.c'],
  ] as const) {
    await page.getByTestId(`tab-${from}`).dblclick();
    await page.getByTestId('file-name-input').fill(to);
    await page.getByTestId('file-name-input').press('Enter');
    await expect(page.getByTestId(`tab-${to}`)).toBeVisible();
  }
  await expect.poll(() => savedFiles(page)).toEqual([{ name: 'third.bpf.c', content }]);
  await expect(page.locator('.monaco-editor .view-line').first()).toHaveText('#include "vmlinux.h"');
});

test('Run right after a paste sends what was pasted, every time', async ({ page, servers }) => {
  await allowClipboard(page, servers);
  await seedSnippet(page, servers, [{ name: 'paste.bpf.c', content: program('\t/* replace me */') }]);
  await openPlayground(page, servers);
  await connected(page);
  // Eight pastes, each checked at once (no pause a person would not make): measured on the old
  // page, 3 in 8 sent the text from before the paste.
  for (let i = 1; i <= 8; i++) {
    const marker = `pasted-${i}-${Math.random().toString(36).slice(2, 8)}`;
    await page.evaluate((t) => navigator.clipboard.writeText(t), program(`#error "${marker}"`));
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+Shift+Enter');
    await expect(page.getByTestId('status')).toContainText('stopped');
    await expect(page.getByTestId('status')).toContainText(marker);
  }
});

test('a 1024-byte buffer on the stack: one problem, on the array’s line, in plain words', async ({ page, servers }) => {
  await seedSnippet(page, servers, [
    {
      name: 'bigbuf.bpf.c',
      content: program('\tchar buf[1024];\n\n\tbpf_get_current_comm(buf, sizeof(buf));\n\tbpf_printk("%s", buf);'),
    },
  ]);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('compile failed');
  await page.getByTestId('pane-tab-problems').click();
  const problems = page.getByTestId('problem');
  await expect(problems).toHaveCount(1);
  await expect(problems.first()).toContainText('bigbuf.bpf.c:7:7');
  await expect(problems.first()).toContainText(
    '`buf` takes 1024 bytes of stack, and a BPF program has 512 bytes in all',
  );
  await expect(problems.first()).toContainText('PERCPU_ARRAY');
  await expect(problems.first()).not.toContainText('mllvm');
  expect(await editorLineOf(page, '.bp-gutter-error')).toBe(7);
});

test('after an edit the last run’s problems are marked stale, and the next Check replaces them', async ({
  page,
  servers,
}) => {
  // The error is on line 7; two lines typed above it move it to line 9.
  await seedSnippet(page, servers, [{ name: 'stale.bpf.c', content: program('\treturn missing_variable;') }]);
  await openPlayground(page, servers);
  await connected(page);
  await page.keyboard.press('Control+Shift+Enter');
  await expect(page.getByTestId('status')).toContainText('compile failed');
  await expect(page.locator('.bp-gutter-error')).toHaveCount(1);
  expect(await editorLineOf(page, '.bp-gutter-error')).toBe(7);

  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('/* a comment\n   over two lines */\n');
  // Line 7 is now other code: no red marker claims it; the problem is listed as stale.
  await expect(page.locator('.bp-gutter-error')).toHaveCount(0);
  await expect(page.locator('.bp-gutter-stale')).toHaveCount(1);
  await page.getByTestId('pane-tab-problems').click();
  await expect(page.getByTestId('problem').first()).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('problem').first()).toContainText('changed since this run');

  await page.keyboard.press('Control+Shift+Enter');
  await expect(page.getByTestId('status')).toContainText('compile failed');
  await expect(page.locator('.bp-gutter-stale')).toHaveCount(0);
  await expect(page.locator('.bp-gutter-error')).toHaveCount(1);
  expect(await editorLineOf(page, '.bp-gutter-error')).toBe(9);
  await expect(page.getByTestId('problem').first()).not.toHaveAttribute('data-stale', 'true');
});
