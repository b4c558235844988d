import { spawn } from 'node:child_process';
import { connected, expect, openPlayground, seedSnippet, shot, test } from '../lib/test';
import { measureFrames } from '../lib/frames';

/** One ring buffer record per system call on the machine: as much as the agent will send. */
const flood = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
\t__u32 pid;
\t__u32 nr;
\t__u64 ts;
\tchar comm[16];
};

struct {
\t__uint(type, BPF_MAP_TYPE_RINGBUF);
\t__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

SEC("raw_tp/sys_enter")
int flood(struct bpf_raw_tracepoint_args *ctx)
{
\tstruct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

\tif (!e)
\t\treturn 0;
\te->pid = bpf_get_current_pid_tgid() >> 32;
\te->nr = ctx->args[1];
\te->ts = bpf_ktime_get_ns();
\tbpf_get_current_comm(e->comm, sizeof(e->comm));
\tbpf_ringbuf_submit(e, 0);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

function countOf(text: string, label: string): number {
  const m = new RegExp(`${label} ([\\d.]+)([kM]?)`).exec(text);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

test("Events at the agent's full rate: capped rows, virtualized table, frames keep coming (figures printed)", async ({
  page,
  servers,
}) => {
  test.setTimeout(120_000);
  await seedSnippet(page, servers, [{ name: 'flood.bpf.c', content: flood }]);
  await openPlayground(page, servers);
  await connected(page);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toContainText('running');
  await page.getByTestId('pane-tab-events').click();
  // ~2 syscalls per byte: millions of sys_enter events in a few seconds.
  const dd = spawn('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=20000000'], { stdio: 'ignore' });
  try {
    await expect(page.getByTestId('event-row').first()).toBeVisible();
    const before = countOf(await page.getByTestId('status').innerText(), 'events');
    const window = await measureFrames(page);
    const statusText = await page.getByTestId('status').innerText();
    const after = countOf(statusText, 'events');
    const dropped = countOf(statusText, 'dropped');
    const domRows = await page.getByTestId('event-row').count();
    const perSec = Math.round(((after - before) / window.ms) * 1000);
    console.log(
      `[rate] received ~${perSec} records/s in the page over ${(window.ms / 1000).toFixed(1)} s; ` +
        `${(window.frames / (window.ms / 1000)).toFixed(0)} frames/s, longest frame gap ${window.maxGapMs.toFixed(0)} ms; ` +
        `${domRows} rows in the DOM; dropped (agent) ${dropped}`,
    );
    await shot(page, '16-events-full-rate');
    // Virtualized: only what fits on screen exists, however many records arrived.
    expect(domRows).toBeLessThan(100);
    expect(after).toBeGreaterThan(before);
    // The table keeps a ring of the newest rows.
    await expect(page.getByTestId('events-counts')).toContainText(/last [\d.]+k kept|received/);
  } finally {
    dd.kill();
  }
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('status')).toContainText('stopped');
});
