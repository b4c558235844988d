import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, type Servers } from './test';

/**
 * A two-file snippet whose printk line carries a marker unique to this test run: new content, so
 * Share makes a new id, and a printk line that proves the header travelled with the program.
 */
export function markedSnippet(): { marker: string; files: { name: string; content: string }[] } {
  const marker = `e2e-share-${randomBytes(5).toString('hex')}`;
  return {
    marker,
    files: [
      {
        name: 'prog.bpf.c',
        content: `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "marker.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int mark(void *ctx)
{
\tbpf_printk(MARK " pid %d", bpf_get_current_pid_tgid() >> 32);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
      },
      { name: 'marker.h', content: `#define MARK "${marker}"\n` },
    ],
  };
}

/** The visible text of the editor (Monaco renders spaces as U+00A0). */
export async function editorText(page: Page): Promise<string> {
  const t = await page.getByTestId('editor').locator('.view-lines').innerText();
  return t.replace(/\u00a0/g, ' ');
}

/** Press Share and wait for the short link; the dialog stays open. */
export async function shareShortLink(page: Page): Promise<{ url: string; id: string; note: string }> {
  await page.getByTestId('share').click();
  const input = page.getByTestId('share-short-url');
  await expect(input).toHaveValue(/\/s\/[A-Za-z0-9_-]{11,}$/);
  const url = await input.inputValue();
  const note = await page.getByTestId('share-short-note').innerText();
  return { url, id: url.split('/s/')[1]!, note };
}

export async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-dialog')).toBeHidden();
}

/** A web-app URL with the agent and token attached, as the agent's printed URL has them. */
export function withToken(s: Servers, url: string): string {
  const u = new URL(url, s.web);
  u.searchParams.set('token', s.token);
  u.searchParams.set('agent', s.agent);
  return u.toString();
}

/** Store a snippet through the HTTP API (what another user's Share did earlier). */
export async function storeSnippet(s: Servers, files: { name: string; content: string }[]): Promise<string> {
  const r = await fetch(`${s.web}/api/snippets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ files }),
  });
  const j = (await r.json()) as { id?: string; error?: string };
  if (!j.id) throw new Error(`POST /api/snippets answered ${r.status}: ${j.error ?? 'no id'}`);
  return j.id;
}
