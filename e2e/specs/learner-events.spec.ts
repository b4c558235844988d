import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  connected,
  expect,
  keepTriggering,
  openPlayground,
  pauseEventsAtTop,
  seedSnippet,
  shotAtSizes,
  test,
} from '../lib/test';

/**
 * A learner reading their own program's events: a long path is shown whole, a column can be made
 * wider, a row opens with every field, and the time column is each record's own timestamp.
 */

const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
\t__u64 ts;
\t__u32 pid;
\tchar comm[16];
\tchar path[128];
};

struct {
\t__uint(type, BPF_MAP_TYPE_RINGBUF);
\t__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
\tunsigned int off = ctx->__data_loc_filename & 0xFFFF;

\tif (!e)
\t\treturn 0;
\te->ts = bpf_ktime_get_ns();
\te->pid = bpf_get_current_pid_tgid() >> 32;
\tbpf_get_current_comm(e->comm, sizeof(e->comm));
\tbpf_probe_read_kernel_str(e->path, sizeof(e->path), (void *)ctx + off);
\tbpf_ringbuf_submit(e, 0);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('events: whole paths, resizable columns, a detail view, and each record’s own time', async ({ page, servers }) => {
  test.setTimeout(150_000);
  // A program with a long path (~45 characters; the table cut at ~24), run a few times a second,
  // three at once (records of one batch).
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-e2e-long-dir-'));
  const exe = path.join(dir, 'learner-true');
  copyFileSync('/bin/true', exe);
  await seedSnippet(page, servers, [{ name: 'paths.bpf.c', content: PROGRAM }]);
  await openPlayground(page, servers);
  await connected(page);
  const stop = keepTriggering(`${exe}; ${exe}; ${exe}`, 150);
  try {
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toContainText('running');
    await page.getByTestId('pane-tab-events').click();
    await page.getByTestId('events-filter').fill(`path=${exe}`);
    const rows = page.getByTestId('event-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    await pauseEventsAtTop(page);

    // The time column reads the record's `ts`.
    await expect(page.getByTestId('events-time-head')).toHaveText('time s (ts)');
    // The path is shown whole, not cut with "…".
    const pathCell = rows.first().locator('span').nth(4);
    await expect(pathCell).toHaveText(exe);
    expect(await pathCell.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

    // Each row's time is its own: two rows' times differ exactly as their ts fields do.
    await rows.nth(0).click();
    const detail = page.getByTestId('event-detail');
    await expect(detail.getByTestId('event-field')).toHaveCount(4);
    await expect(detail.getByTestId('event-field-path')).toHaveText(exe);
    const ts0 = Number(await detail.getByTestId('event-field-ts').innerText());
    const t0 = Number(await rows.nth(0).locator('.ts').innerText());
    await rows.nth(5).click();
    const ts5 = Number(await detail.getByTestId('event-field-ts').innerText());
    const t5 = Number(await rows.nth(5).locator('.ts').innerText());
    expect(ts5).not.toBe(ts0);
    expect(Math.abs((t5 - t0) * 1e9 - (ts5 - ts0))).toBeLessThan(2_000);
    await expect(rows.nth(0).locator('.ts')).toHaveAttribute('data-own', 'true');
    await shotAtSizes(page, 'learner-events-detail');

    // Drag the comm column wider.
    const head = page.getByTestId('events-col-comm');
    const before = (await head.boundingBox())!;
    const handle = (await page.getByTestId('events-resize-comm').boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(before.x + 220, handle.y + handle.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => Math.round((await head.boundingBox())!.width)).toBeGreaterThan(200);
    await page.getByTestId('event-detail-close').click();
    await expect(detail).toHaveCount(0);
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
  await page.getByTestId('stop').click();
});
