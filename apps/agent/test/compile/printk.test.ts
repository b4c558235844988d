import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { helperNames, loadBtf, openObjectSpec, scanCalls } from '@bpfplay/btf';
import { BpfObject, readIter, RingBufferReader } from '@bpfplay/libbpf';
import { deadCode } from '../../src/policy/core-dead-code.js';
import { describe, expect, it } from 'vitest';
import { btfDump, COMPILE_TIMEOUT, snippet, useTestCompiler } from './helpers.js';

/**
 * The printk shim (include/bpf/bpf_helpers.h): bpf_printk goes to the object's own ring buffer
 * `bpfplay_printk` as 256-byte records {u64 ts_ns, u32 cpu, u32 len, char msg[240]}, never to
 * the kernel's shared trace_pipe.
 */

const ARGS = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

long rets[5];

static __always_inline void print_all(int a, int b, int c)
{
	rets[0] = bpf_printk("MARK zero");
	rets[1] = bpf_printk("MARK one %d", a);
	rets[2] = bpf_printk("MARK three %d %d %u", a, b, c);
	rets[3] = bpf_printk("MARK seven %d %d %d %d %d %d %s", a, b, c, a, b, c, "str");
	rets[4] = bpf_printk("MARK twelve %d %d %d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
}
`;

const EVERY_KIND = `${ARGS}
SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx) { print_all(1, 2, 3); return 0; }

SEC("xdp")
int on_xdp(struct xdp_md *ctx) { print_all(ctx->ingress_ifindex, 2, 3); return XDP_PASS; }

SEC("tc")
int on_tc(struct __sk_buff *skb) { print_all(skb->len, 2, 3); return 0; }

SEC("socket")
int on_socket(struct __sk_buff *skb) { print_all(skb->len, 2, 3); return 0; }

char LICENSE[] SEC("license") = "GPL";
`;

const ITER = (marker: string) => `${ARGS.replaceAll('MARK', marker)}
SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	if (ctx->meta->seq_num == 0 && ctx->task)
		print_all(1, 2, 3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const t = useTestCompiler();

async function compileOk(source: string): Promise<Buffer> {
  const r = await t.compiler.compile(snippet(source));
  expect(r.diagnostics, r.output).toEqual([]);
  expect(r.ok).toBe(true);
  return r.object!;
}

describe('bpf_printk through the shim', { timeout: COMPILE_TIMEOUT }, () => {
  it('compiles with 0, 1, 3, 7 and 12 arguments in tracing, XDP, tc and socket programs, warning-free', async () => {
    await compileOk(EVERY_KIND);
  });

  it('on this kernel reaches no bpf_trace_printk (6) or bpf_trace_vprintk (177); formats with bpf_snprintf (165)', async () => {
    // The shim keeps a bpf_trace_printk fallback for Linux < 5.13 behind a CO-RE check of
    // BPF_FUNC_snprintf (policy/core-dead-code.ts): present in the object, unreachable here.
    const obj = openObjectSpec(await compileOk(EVERY_KIND), 'prog');
    const host = loadBtf(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' });
    const dead = deadCode(obj, host);
    const live = new Set(
      scanCalls(obj, helperNames(host)).flatMap((p) =>
        p.calls.filter((c) => !dead.get(p.program)?.has(c.insn)).map((c) => c.name),
      ),
    );
    expect(live.has('bpf_trace_printk')).toBe(false);
    expect(live.has('bpf_trace_vprintk')).toBe(false);
    expect(live.has('bpf_snprintf')).toBe(true);
  });

  it('puts the format strings in .rodata and defines the bpfplay_printk map', async () => {
    const btf = btfDump(await compileOk(EVERY_KIND));
    expect(btf).toMatch(/VAR 'bpfplay_printk' type_id=\d+, linkage=global/);
    expect(btf).toMatch(/DATASEC '\.maps'[\s\S]*\(VAR 'bpfplay_printk'\)/);
    expect(btf).toMatch(/DATASEC '\.rodata'[\s\S]*___bpfplay_fmt/);
  });

  it('loads in every program kind, with bpfplay_printk a 256 KiB ring buffer', async () => {
    const object = await compileOk(EVERY_KIND);
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-printk-'));
    const pins = `/sys/fs/bpf/bpfplay-test-${process.pid}-${Date.now()}`;
    try {
      const obj = join(dir, 'prog.o');
      writeFileSync(obj, object);
      // No `autoattach`: load and pin only.
      execFileSync('/usr/sbin/bpftool', ['prog', 'loadall', obj, pins, 'pinmaps', `${pins}-maps`]);
      expect(execFileSync('/usr/bin/ls', [pins], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual([
        'on_exec',
        'on_socket',
        'on_tc',
        'on_xdp',
      ]);
      const map = JSON.parse(
        execFileSync('/usr/sbin/bpftool', ['-j', 'map', 'show', 'pinned', `${pins}-maps/bpfplay_printk`], {
          encoding: 'utf8',
        }),
      ) as { type: string; max_entries: number; name: string };
      expect(map).toMatchObject({ type: 'ringbuf', max_entries: 256 * 1024, name: 'bpfplay_printk' });
    } finally {
      rmSync(pins, { recursive: true, force: true });
      rmSync(`${pins}-maps`, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes 256-byte records {ts_ns, cpu, len, msg} into the object's own ring, not trace_pipe", async () => {
    const marker = `bpfplay${process.pid}x${Date.now() % 100000}`;
    const a = BpfObject.openMem(await compileOk(ITER(marker)));
    const b = BpfObject.openMem(await compileOk(ITER(`${marker}other`)));
    try {
      a.load();
      b.load();
      const ringA = new RingBufferReader(a.map('bpfplay_printk')!.fd, a.map('bpfplay_printk')!.maxEntries);
      const ringB = new RingBufferReader(b.map('bpfplay_printk')!.fd, b.map('bpfplay_printk')!.maxEntries);
      const before = process.hrtime.bigint();
      readIter(a.program('dump_task')!.attachIter());
      const after = process.hrtime.bigint();

      const records: { size: number; ts: bigint; cpu: number; len: number; msg: string }[] = [];
      ringA.drain((r) => {
        const v = new DataView(r.buffer, r.byteOffset, r.byteLength);
        const msg = Buffer.from(r.subarray(16, 256)).toString('utf8');
        records.push({
          size: r.byteLength,
          ts: v.getBigUint64(0, true),
          cpu: v.getUint32(8, true),
          len: v.getUint32(12, true),
          msg: msg.slice(0, msg.indexOf('\0')),
        });
      });
      expect(records.map((r) => r.msg)).toEqual([
        `${marker} zero`,
        `${marker} one 1`,
        `${marker} three 1 2 3`,
        `${marker} seven 1 2 3 1 2 3 str`,
        `${marker} twelve 1 2 3 4 5 6 7 8 9 10 11 12`,
      ]);
      for (const r of records) {
        expect(r.size).toBe(256);
        expect(r.len).toBe(Buffer.byteLength(r.msg) + 1); // bpf_snprintf counts the NUL
        expect(r.cpu).toBeLessThan(cpus().length);
        expect(r.ts >= before && r.ts <= after, `ts_ns ${r.ts} not within the iterator read`).toBe(true);
      }
      // The other session's object saw nothing, and the global trace buffer has none of it.
      expect(ringB.pending()).toBe(0);
      expect(readFileSync('/sys/kernel/tracing/trace', 'utf8')).not.toContain(marker);
      ringA.close();
      ringB.close();
    } finally {
      a.close();
      b.close();
    }
  });

  it('returns bpf_snprintf’s result like bpf_printk returns bpf_trace_printk’s', async () => {
    const r = await t.compiler.compile(
      snippet(`#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp") int f(struct xdp_md *ctx) { long n = bpf_printk("x"); int m = bpf_printk("%d", 1) + 1; return n > 0 && m > 0 ? XDP_PASS : XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
`),
    );
    expect(r.diagnostics).toEqual([]);
  });
});

describe('BPFPLAY_RECORD and BPFPLAY_HIST', { timeout: COMPILE_TIMEOUT }, () => {
  const MAPS = `struct event { int pid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps") BPFPLAY_RECORD(event);
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 32); __type(key, __u32); __type(value, __u64); } lat SEC(".maps") BPFPLAY_HIST;
SEC("xdp") int f(struct xdp_md *ctx) { struct event e = {}; bpf_ringbuf_output(&events, &e, sizeof(e), 0); return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
`;

  function tagsOf(btf: string): Record<string, string> {
    const vars = new Map([...btf.matchAll(/^\[(\d+)\] VAR '(\w+)'/gm)].map((m) => [m[1]!, m[2]!]));
    return Object.fromEntries(
      [...btf.matchAll(/DECL_TAG '([^']+)' type_id=(\d+) component_idx=-1/g)].map((m) => [
        vars.get(m[2]!) ?? `#${m[2]}`,
        m[1]!,
      ]),
    );
  }

  it('become BTF decl tags on the map variables, through <bpf/bpf_helpers.h>', async () => {
    const tags = tagsOf(btfDump(await compileOk(`#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n${MAPS}`)));
    expect(tags).toEqual({ events: 'bpfplay.record:event', lat: 'bpfplay.render:log2-hist' });
  });

  it('work from the standalone <bpfplay.h> too, in a <linux/bpf.h> program', async () => {
    const source = `#include <linux/bpf.h>\n#include <bpfplay.h>\n#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) = (void *) 130;
${MAPS}`;
    const tags = tagsOf(btfDump(await compileOk(source)));
    expect(tags).toEqual({ events: 'bpfplay.record:event', lat: 'bpfplay.render:log2-hist' });
  });
});
