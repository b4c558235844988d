import { connected, expect, keepTriggering, openPlayground, seedSnippet, shotAtSizes, test } from '../lib/test';

/**
 * Names for numbers (issue 16 item 8): a learner's own records show `openat`, `-ENOENT`, a dotted
 * quad, a port in host order and `AF_INET` instead of 257, -2, 16777343, 2304 and 2, chosen from
 * the fields' names and C types; the raw number is on hover (the cell's title) and in the row
 * detail beside the name.
 */

const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IPPROTO_TCP 6

/* A system call that failed: which one, and how. */
struct failed_call {
\t__u32 pid;
\t__u32 syscall_id;
\tint ret;
\tchar comm[16];
};

/* A TCP connection being opened: where to, as the network stores it. */
struct conn {
\t__u32 pid;
\t__be32 daddr;
\t__be16 dport;
\t__u16 family;
\tchar comm[16];
};

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } failures SEC(".maps") BPFPLAY_RECORD(failed_call);
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } conns SEC(".maps") BPFPLAY_RECORD(conn);
BPFPLAY_KEEP_TYPE(struct failed_call);
BPFPLAY_KEEP_TYPE(struct conn);

SEC("tracepoint/raw_syscalls/sys_exit")
int on_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
\tchar comm[16];
\tstruct failed_call *e;

\tif (ctx->ret >= 0)
\t\treturn 0;
\tbpf_get_current_comm(comm, sizeof(comm));
\tif (comm[0] != 'c' || comm[1] != 'a' || comm[2] != 't' || comm[3] != 0)
\t\treturn 0;
\te = bpf_ringbuf_reserve(&failures, sizeof(*e), 0);
\tif (!e)
\t\treturn 0;
\te->pid = bpf_get_current_pid_tgid() >> 32;
\te->syscall_id = ctx->id;
\te->ret = ctx->ret;
\t__builtin_memcpy(e->comm, comm, sizeof(comm));
\tbpf_ringbuf_submit(e, 0);
\treturn 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int on_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
\tstruct conn *e;

\tif (ctx->protocol != IPPROTO_TCP || ctx->newstate != 2 /* SYN_SENT */)
\t\treturn 0;
\te = bpf_ringbuf_reserve(&conns, sizeof(*e), 0);
\tif (!e)
\t\treturn 0;
\te->pid = bpf_get_current_pid_tgid() >> 32;
\t__builtin_memcpy(&e->daddr, ctx->daddr, sizeof(e->daddr));
\te->dport = bpf_htons(ctx->dport); /* the tracepoint gives it in host order */
\te->family = ctx->family;
\tbpf_get_current_comm(e->comm, sizeof(e->comm));
\tbpf_ringbuf_submit(e, 0);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('events: names for numbers, with the raw value on hover and in the detail', async ({ page, servers }) => {
  test.setTimeout(150_000);
  await seedSnippet(page, servers, [{ name: 'names.bpf.c', content: PROGRAM }]);
  await openPlayground(page, servers);
  await connected(page);
  // cat opening a file that does not exist (openat → -ENOENT); a connection to a closed local port.
  const stop = keepTriggering(
    "cat /bpfplay-names-nope 2>/dev/null; bash -c 'echo > /dev/tcp/127.0.0.1/9' 2>/dev/null; true",
    300,
  );
  try {
    // Long enough for both sources' checks on a loaded machine; stopped at the end.
    await page.getByTestId('duration').selectOption('120');
    await page.getByTestId('run').click();
    await expect(page.getByTestId('status')).toContainText('running');
    await page.getByTestId('pane-tab-events').click();
    const rows = page.getByTestId('event-row');
    const filter = page.getByTestId('events-filter');

    // The failed calls: openat by name, -ENOENT by name; the numbers on hover.
    await page.getByLabel('Event source').selectOption('failures');
    await filter.fill('syscall_id=openat');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await page.getByTestId('events-pause').click();
    const row = rows.first();
    // Cells after the time column: pid, syscall_id, ret, comm.
    const syscall = row.locator('span').nth(2);
    const ret = row.locator('span').nth(3);
    await expect(syscall).toHaveText('openat');
    await expect(syscall).toHaveAttribute('title', 'syscall_id = 257');
    await expect(ret).toHaveText('-ENOENT');
    await expect(ret).toHaveAttribute('title', 'ret = -2');
    // The raw number finds the same rows.
    await filter.fill('ret=-2');
    await expect(rows.first().locator('span').nth(3)).toHaveText('-ENOENT');
    // Following its tail, the table draws the rows that fit, bottom-aligned: when more rows match than
    // fit, the first one drawn is cut by the header (its centre under it). Click the newest, at the
    // bottom, as a reader would (seen on a loaded machine, where more rows had come before the pause).
    await rows.last().click();
    const detail = page.getByTestId('event-detail');
    await expect(detail.getByTestId('event-field-ret')).toHaveText('-ENOENT (-2)');
    await expect(detail.getByTestId('event-field-ret')).toHaveAttribute('data-raw', '-2');
    await expect(detail.getByTestId('event-field-comm')).toHaveText('cat');
    await shotAtSizes(page, 'learner-names-detail');
    await page.getByTestId('event-detail-close').click();
    await page.getByTestId('events-pause').click();

    // The connections: a dotted quad, the port in host order, the family by name.
    await page.getByLabel('Event source').selectOption('conns');
    await filter.fill('daddr=127.0.0.1');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const conn = rows.first();
    // Cells after the time column: pid, daddr, dport, family, comm.
    await expect(conn.locator('span').nth(2)).toHaveText('127.0.0.1');
    await expect(conn.locator('span').nth(2)).toHaveAttribute('title', `daddr = ${0x0100007f}`);
    await expect(conn.locator('span').nth(3)).toHaveText('9');
    await expect(conn.locator('span').nth(3)).toHaveAttribute('title', `dport = ${0x0900}`);
    await expect(conn.locator('span').nth(4)).toHaveText('AF_INET');
    await expect(conn.locator('span').nth(4)).toHaveAttribute('title', 'family = 2');
    await page.getByTestId('stop').click();
    await expect(page.getByTestId('run')).toBeVisible();
  } finally {
    stop();
  }
});
