import type { Page } from '@playwright/test';
import { connected, expect, openPlayground, seedSnippet, shot, test } from '../lib/test';

/**
 * A learner's first five minutes with the editor's help (issue 15): completion of a kernel struct's
 * members, a helper's signature on hover, a typo underlined before Run, go-to-definition into the
 * kernel's own vmlinux.h, and a Run that finds its program compiled already.
 */
const program = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct {
\t__uint(type, BPF_MAP_TYPE_RINGBUF);
\t__uint(max_entries, 1 << 16);
} rb SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
\tstruct task_struct *t = (void *)bpf_get_current_task();
\tvoid *e = bpf_ringbuf_reserve(&rb, 16, 0);

\tif (e)
\t\tbpf_ringbuf_discard(e, 0);
\tbpf_printk("exec");
\treturn 0;
}
`;

/** Puts the cursor at the end of the first editor line containing `text`. */
async function endOfLine(page: Page, text: string): Promise<void> {
  await page.locator('.view-lines .view-line', { hasText: text }).first().click();
  await page.keyboard.press('End');
}

/**
 * Where `needle` is drawn in the editor (its first occurrence in the visible lines): Monaco merges
 * tokens of one colour into one span, so the text is measured with a DOM Range, as a mouse would find it.
 */
async function textBox(page: Page, needle: string): Promise<{ x: number; y: number }> {
  const box = await page.evaluate((needle) => {
    for (const line of document.querySelectorAll('.view-lines .view-line')) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const nodes: Text[] = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
      const text = nodes.map((n) => n.data.replace(/\u00a0/g, ' ')).join('');
      let at = text.indexOf(needle);
      if (at < 0) continue;
      // The middle character of the needle, in the text node that holds it.
      at += Math.floor(needle.length / 2);
      for (const n of nodes) {
        if (at < n.data.length) {
          const r = document.createRange();
          r.setStart(n, at);
          r.setEnd(n, at + 1);
          const b = r.getBoundingClientRect();
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
        at -= n.data.length;
      }
    }
    return null;
  }, needle);
  if (!box) throw new Error(`"${needle}" is not on screen in the editor`);
  return box;
}

/** The text of the line the cursor is on (the one Monaco highlights), without its indentation. */
function cursorLineText(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const current = document.querySelector('.view-overlays .current-line');
    if (!current) return null;
    const top = current.getBoundingClientRect().top;
    const line = [...document.querySelectorAll('.view-lines .view-line')].find(
      (l) => Math.abs(l.getBoundingClientRect().top - top) < 2,
    );
    return line ? (line.textContent ?? '').replace(/\u00a0/g, ' ').trim() : null;
  });
}

test('completion, hover, live errors and go-to-definition come from the agent kernel’s clangd', async ({
  page,
  servers,
}) => {
  // The first session of an agent may start clangd cold: on a loaded machine its first parse of
  // vmlinux.h takes a while (the wait below is for the agent's own "ready", not a fixed time).
  test.setTimeout(240_000);
  await seedSnippet(page, servers, [{ name: 'exec.bpf.c', content: program }]);
  await openPlayground(page, servers);
  await connected(page);
  await expect(page.getByTestId('lsp-status')).toHaveCount(0, { timeout: 120_000 });

  // t-> offers the members of this kernel's task_struct.
  await endOfLine(page, 'bpf_get_current_task');
  await page.keyboard.press('Enter');
  await page.keyboard.type('int tg = t->');
  const suggest = page.locator('.editor-widget.suggest-widget');
  await expect(suggest).toBeVisible();
  // The list holds every member; narrowing it shows the two a learner looks for.
  const row = (label: string) => suggest.locator('.monaco-list-row .label-name', { hasText: new RegExp(`^${label}$`) });
  await page.keyboard.type('pid');
  await expect(row('pid')).toBeVisible();
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type('tgi');
  await expect(row('tgid')).toBeVisible();
  await expect(suggest.locator('.monaco-list-row').first()).toContainText('tgid');
  await page.keyboard.press('Enter');
  await page.keyboard.type(';');
  await expect.poll(() => cursorLineText(page)).toBe('int tg = t->tgid;');
  await shot(page, '15-completion');

  // Hovering a helper shows libbpf's declaration, with parameter names, and its documentation.
  const reserve = await textBox(page, 'bpf_ringbuf_reserve');
  await page.mouse.move(reserve.x, reserve.y);
  const hover = page.locator('.monaco-hover:not(.hidden)');
  await expect(hover).toContainText('void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)');
  await expect(hover).toContainText('Reserve size bytes of payload in a ring buffer');
  await shot(page, '15-hover');
  await page.mouse.move(0, 0);

  // A typo is underlined while typing, before any Run.
  await endOfLine(page, 'return 0;');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.type('retrun 0;');
  await expect(page.locator('.squiggly-error').first()).toBeVisible();
  await expect(page.getByTestId('status')).not.toContainText('compil');
  // Decorations are redrawn as diagnostics arrive: point at the word, not at a squiggle element.
  const typo = await textBox(page, 'retrun');
  await page.mouse.move(typo.x, typo.y);
  await expect(hover).toContainText(/undeclared identifier 'retrun'/i);
  await page.mouse.move(0, 0);
  // Fixed by typing: the squiggle goes, still without a Run.
  await page.mouse.click(typo.x, typo.y);
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.keyboard.type('return 0;');
  await expect(page.locator('.squiggly-error')).toHaveCount(0);

  // Go to definition (F12) on task_struct opens the kernel's vmlinux.h, read-only, at the struct.
  const ts = await textBox(page, 'task_struct');
  await page.mouse.click(ts.x, ts.y);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('header-view')).toContainText('vmlinux.h');
  await expect.poll(() => cursorLineText(page)).toBe('struct task_struct {');
  // Read-only: typing changes nothing.
  await page.keyboard.type('x');
  await expect.poll(() => cursorLineText(page)).toBe('struct task_struct {');
  await shot(page, '15-definition');
  await page.getByTestId('header-view').getByRole('button').click();
  await expect(page.getByTestId('header-view')).toHaveCount(0);
  await expect(page.locator('.view-line', { hasText: 'bpf_get_current_task' })).toHaveCount(1);

  // Compile as you type: idle after the edits, the agent compiled it; Run finds the object cached.
  await expect(page.locator('.editor-frame')).toHaveAttribute('data-check', 'ok');
  await expect(page.getByTestId('status')).not.toContainText('compil');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('(cached)');
  await page.getByTestId('stop').click();
});
