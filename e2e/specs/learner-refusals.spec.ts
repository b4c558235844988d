import type { Page } from '@playwright/test';
import {
  connected,
  editorLineOf,
  expect,
  openPlayground,
  seedSnippet,
  shotAtSizes,
  test,
  type Servers,
} from '../lib/test';
import { startOwnAgent } from '../lib/ownAgent';
import { WebSocket } from 'ws';

/**
 * A learner's run the agent will not do: the page must end it, say why where people look (the
 * status line, Problems) and mark the line, and let them Run again.
 */

const program = (name: string, sec: string, body = '\tbpf_printk("hi");') => `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("${sec}")
int ${name}(void *ctx)
{
${body}
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

async function openOn(page: Page, s: Servers, agent: { wsUrl: string; token: string }) {
  const u = new URL(s.web);
  u.searchParams.set('agent', agent.wsUrl);
  u.searchParams.set('token', agent.token);
  await page.goto(u.toString());
  await expect(page.getByTestId('editor').locator('.monaco-editor')).toBeVisible();
  await connected(page);
}

test('Run when the agent is busy: the run ends, says so, and Run works again once it is free', async ({
  page,
  servers,
  browser,
}) => {
  test.setTimeout(180_000);
  const marker = `hold_${Math.random().toString(36).slice(2, 8)}`;
  // An agent that takes one run at a time, and keeps a compile that names `marker` waiting.
  const agent = await startOwnAgent({
    webOrigin: servers.web,
    policy: { limits: { maxConcurrentRuns: 1 } },
    env: { BPFPLAY_TEST_HOLD_COMPILE: marker },
  });
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    // Someone else's run holds the agent's only slot.
    const theirs = await other.newPage();
    await seedSnippet(theirs, servers, [
      {
        name: 'theirs.bpf.c',
        content: program('their_prog', 'tracepoint/syscalls/sys_enter_getpid', `\t/* ${marker} */`),
      },
    ]);
    await openOn(theirs, servers, agent);
    await theirs.getByTestId('run').click();
    await expect(theirs.getByTestId('status')).toContainText('compiling');

    await seedSnippet(page, servers, [
      { name: 'mine.bpf.c', content: program('my_prog', 'tracepoint/syscalls/sys_enter_getpid') },
    ]);
    await openOn(page, servers, agent);
    await page.getByTestId('run').click();
    const status = page.getByTestId('status');
    await expect(status).toContainText('stopped: quota — the agent said busy');
    await expect(page.getByTestId('run')).toBeEnabled();
    await expect(page.getByTestId('pane-tab-problems')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('run-problem')).toContainText('the agent refused the run (busy)');

    // The slot frees up: the same Run press now runs.
    await theirs.getByTestId('stop').click();
    await expect(theirs.getByTestId('status')).toContainText('stopped');
    await page.getByTestId('run').click();
    await expect(status).toContainText('running');
    await page.getByTestId('stop').click();
    await expect(status).toContainText('stopped: user');
  } finally {
    await other.close();
    await agent.stop();
  }
});

/** Attach kinds a learner meets in tutorials, with a section for each; the host decides which it lacks. */
const SECTIONS: Record<string, string> = {
  kprobe: 'kprobe/do_sys_openat2',
  fentry: 'fentry/do_sys_openat2',
  lsm: 'lsm/file_open',
};

/** The first of SECTIONS' kinds this agent's kernel cannot attach (its hello says), or a loud failure. */
async function missingKind(s: Servers): Promise<string> {
  const u = new URL(s.agent);
  u.searchParams.set('token', s.token);
  const ws = new WebSocket(u);
  const hello = await new Promise<{ capabilities: { attach: { kind: string; supported: boolean }[] } }>(
    (resolve, reject) => {
      ws.on('message', (d) => resolve(JSON.parse(d.toString())));
      ws.on('error', reject);
    },
  );
  ws.close();
  const kind = Object.keys(SECTIONS).find((k) => hello.capabilities.attach.some((a) => a.kind === k && !a.supported));
  if (!kind)
    throw new Error(
      `this kernel attaches ${Object.keys(SECTIONS).join(', ')}: the spec needs an attach kind it lacks (on the reference machine CONFIG_KPROBES is off)`,
    );
  return kind;
}

test('a kprobe on a kernel without kprobes: an error on its SEC line and in Problems, not only in Log', async ({
  page,
  servers,
}) => {
  const kind = await missingKind(servers);
  await seedSnippet(page, servers, [{ name: 'probe.bpf.c', content: program('on_open', SECTIONS[kind]!) }]);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('run').click();
  const status = page.getByTestId('status');
  await expect(status).toContainText('stopped: attach-error');
  await expect(page.getByTestId('run')).toBeEnabled();
  // Problems opened by itself, with the reason on line 4 (the SEC line) and the run's failure.
  await expect(page.getByTestId('pane-tab-problems')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('run-problem')).toContainText('nothing this kernel can run');
  const problem = page.getByTestId('problem').first();
  await expect(problem).toContainText('probe.bpf.c:4:1');
  await expect(problem).toContainText('on_open switched off: ');
  await expect(problem).toContainText(kind);
  expect(await editorLineOf(page, '.bp-gutter-error')).toBe(4);
  await shotAtSizes(page, 'learner-refused-kprobe');
});
