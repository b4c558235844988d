import { afterEach, describe, expect, it } from 'vitest';
import { BpfObject } from '@bpfplay/libbpf';
import { compileBpf } from '../../../../packages/libbpf/test/bpf-object.js';
import { decodersFor } from '../../src/stream/decoders.js';
import { Outbox } from '../../src/stream/outbox.js';
import { openSources, type Source } from '../../src/stream/sources.js';
import type { RunSpec } from '../../src/runner/ipc.js';
import { decodeRecord, parseBinaryEvents, shownOf, type BinaryEventsFrame } from '@bpfplay/protocol';
import { binaryMessage, stampSeq } from '../../src/stream/binary-frame.js';

/**
 * The ring buffer source on a real ring: each `process.ppid` read (a getppid() of this process)
 * writes `count` records of struct event (48 bytes in the ring with its header) into a 64 KiB ring.
 * What the user must be able to trust: every record written is either delivered or reported dropped.
 */
const PRODUCER = `
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct event { u64 seq; u32 pid; u32 cpu; char comm[16]; u64 pad; };
/* Keeps struct event in BTF (types of locals are not emitted); the agent's shim does this for users. */
const struct event *unused_event __attribute__((unused));
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 65536); } events SEC(".maps");
const volatile u32 tgid = 0;
const volatile u32 count = 1;
u64 next_seq = 0;
static long one(u32 i, void *ctx) {
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 1;
  e->seq = next_seq++;
  e->pid = tgid;
  e->cpu = 7;
  __builtin_memcpy(e->comm, "bench", 6);
  e->pad = 0;
  bpf_ringbuf_submit(e, 0);
  return 0;
}
SEC("tracepoint/syscalls/sys_enter_getppid")
int tst_burst(void *ctx) {
  if ((bpf_get_current_pid_tgid() >> 32) != tgid) return 0;
  bpf_loop(count, one, 0, 0);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

const object = compileBpf(PRODUCER, 'burst');

/** A record whose fields have readable forms (packages/protocol decode/formatters.ts). */
const NAMED = PRODUCER.replace(
  'struct event { u64 seq; u32 pid; u32 cpu; char comm[16]; u64 pad; };',
  'struct event { u64 seq; u32 pid; u32 cpu; char comm[16]; u64 pad; int ret; int sig; u8 daddr[4]; };',
).replace(
  'e->pad = 0;',
  'e->pad = 0; e->ret = -2; e->sig = 9; e->daddr[0] = 127; e->daddr[1] = 0; e->daddr[2] = 0; e->daddr[3] = 1;',
);
const named = compileBpf(NAMED, 'named');
let layout: ReturnType<typeof decodersFor>['schemas'][number]['layout'];
let opened: { obj: BpfObject; sources: Source[] } | undefined;

afterEach(() => {
  for (const s of opened?.sources ?? []) s.close();
  opened?.obj.close();
  opened = undefined;
});

/** Load the producer with `count` records per trigger and open its sources as a run does. */
function start(count: number, eventFormat?: 'binary', bytes = object): Source {
  const spec = {
    object: new Uint8Array(bytes),
    objectName: 'burst',
    params: { tgid: process.pid, count },
    eventFormat,
  } as unknown as RunSpec;
  const obj = BpfObject.openMem(bytes);
  const d = decodersFor(obj, spec);
  d.configure(obj);
  obj.load();
  obj.programs()[0]!.attach();
  const sources = openSources(obj, d.records, () => 0);
  layout = d.schemas[0]?.layout;
  opened = { obj, sources };
  expect(sources).toHaveLength(1);
  return sources[0]!;
}

function outbox(limits: { maxEventsPerSec?: number } = {}) {
  const frames: {
    source: string;
    records: { t: number; value: { seq: number; pid: number; cpu: number; comm: string } }[];
    dropped: number;
  }[] = [];
  const box = new Outbox(
    () => {},
    (_type, frame) => frames.push(JSON.parse(Buffer.from(frame).toString())),
    { maxEventsPerSec: 1_000_000, maxPrintkPerSec: 1000, maxBytesPerSec: 1 << 30, ...limits },
  );
  const delivered = () => frames.flatMap((f) => f.records);
  const dropped = () => frames.reduce((n, f) => n + f.dropped, 0);
  return { box, frames, delivered, dropped };
}

const trigger = () => void process.ppid;

/** Records written and polled while the client is backed up (the outbox paused), then a send once it is not. */
function triggerWhilePaused(src: Source, box: Outbox): void {
  box.paused = true;
  trigger();
  src.poll(box, 0, Infinity);
  box.paused = false;
  box.flush();
}

/** One tick of a run's loop: read the source into the outbox (until `budgetMs` is spent), then send. */
function tick(src: Source, box: Outbox, t = 0, budgetMs = Infinity): void {
  src.poll(box, t, budgetMs);
  box.flush();
}

describe('ring buffer source', () => {
  it('delivers every record, BTF-decoded, in order, as one frame per poll', () => {
    const src = start(1000);
    const o = outbox();
    trigger();
    tick(src, o.box, 12.5);
    expect(o.frames).toHaveLength(1);
    const recs = o.delivered();
    expect(recs.map((r) => r.value.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(recs[0]).toEqual({ t: 12.5, value: { seq: 0, pid: process.pid, cpu: 7, comm: 'bench', pad: 0 } });
    expect(o.box.totals).toEqual({ events: 1000, printk: 0, dropped: 0 });
  });

  it("writes fields' readable forms beside the raw values (`shown`), the same as a binary client computes", () => {
    const src = start(3, undefined, named);
    const o = outbox();
    trigger();
    tick(src, o.box, 1);
    const recs = o.delivered() as unknown as { value: Record<string, unknown>; shown?: Record<string, unknown> }[];
    expect(recs).toHaveLength(3);
    expect(recs[0]!.value).toMatchObject({ ret: -2, sig: 9, daddr: [127, 0, 0, 1] });
    expect(recs[0]!.shown).toEqual({ ret: '-ENOENT', sig: 'SIGKILL', daddr: '127.0.0.1' });
    opened?.sources[0]?.close();
    opened?.obj.close();
    opened = undefined;
    const bin = start(3, 'binary', named);
    const b = binaryOutbox();
    trigger();
    tick(bin, b.box, 1);
    expect(b.delivered().map((r) => shownOf(layout, r))).toEqual(recs.map((r) => r.shown));
  });

  it('out of time with room left in the ring, keeps the backlog for the next poll (nothing dropped)', () => {
    const src = start(1000);
    const o = outbox();
    trigger();
    tick(src, o.box, 0, 0);
    expect(o.delivered().length).toBeLessThan(1000);
    tick(src, o.box);
    expect(o.delivered().map((r) => r.value.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(o.dropped()).toBe(0);
  });

  it('out of time with the ring more than half full, drops the backlog and says how much', () => {
    // 1300 records × 48 bytes fill 95% of the 64 KiB ring.
    const src = start(1300);
    const o = outbox();
    trigger();
    tick(src, o.box, 0, 0);
    expect(o.dropped()).toBeGreaterThan(0);
    expect(o.delivered().length + o.dropped()).toBe(1300);
  });

  it('while paused (client backed up) reads nothing and counts everything as dropped', () => {
    const src = start(500);
    const o = outbox();
    triggerWhilePaused(src, o.box);
    expect(o.delivered()).toHaveLength(0);
    expect(o.dropped()).toBe(500);
  });
});

/** An outbox whose binary frames are turned into what a client receives (seq stamped as the agent does) and parsed. */
function binaryOutbox(limits: { maxEventsPerSec?: number; maxBytesPerSec?: number } = {}) {
  const frames: BinaryEventsFrame[] = [];
  const json: unknown[] = [];
  const box = new Outbox(
    () => {},
    (_type, frame) => json.push(JSON.parse(Buffer.from(frame).toString())),
    { maxEventsPerSec: 1_000_000, maxPrintkPerSec: 1000, maxBytesPerSec: 1 << 30, ...limits },
    (header, records) => {
      const message = binaryMessage(Buffer.from(header), records);
      // Large, to check the slot takes any seq a connection reaches.
      stampSeq(message, 1_000_000_000_000 + frames.length);
      const r = parseBinaryEvents(message);
      if (!r.ok) throw new Error(r.message);
      // Copies: the outbox reuses its buffer after the call.
      frames.push({ header: r.frame.header, records: r.frame.records.map((b) => b.slice()) });
    },
  );
  const delivered = () => frames.flatMap((f) => f.records);
  const dropped = () => frames.reduce((n, f) => n + f.header.dropped, 0);
  return { box, frames, json, delivered, dropped };
}

describe('ring buffer source, binary events', () => {
  it('sends each record as its raw bytes; decoded with the schema layout they are the JSON values', () => {
    const src = start(1000, 'binary');
    const o = binaryOutbox();
    trigger();
    tick(src, o.box, 3.5);
    expect(o.json).toEqual([]);
    expect(o.frames).toHaveLength(1);
    expect(o.frames[0]!.header).toMatchObject({
      type: 'events',
      seq: 1_000_000_000_000,
      source: 'events',
      count: 1000,
      dropped: 0,
      t: 3.5,
    });
    expect(o.delivered().every((b) => b.length === 40)).toBe(true);
    const values = o.delivered().map((b) => decodeRecord(layout, b));
    expect(values[0]).toEqual({ seq: 0, pid: process.pid, cpu: 7, comm: 'bench', pad: 0 });
    expect(values.map((v) => (v as { seq: number }).seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(o.box.totals).toEqual({ events: 1000, printk: 0, dropped: 0 });
  });

  it('applies the bytes/s budget to the bytes sent (record + 4), counting every record', () => {
    const src = start(1000, 'binary');
    // 4096 is the smallest byte budget the outbox allows: 93 records of 44 bytes.
    const o = binaryOutbox({ maxBytesPerSec: 4096 });
    trigger();
    tick(src, o.box);
    expect(o.delivered()).toHaveLength(Math.floor(4096 / 44));
    expect(o.delivered().length + o.dropped()).toBe(1000);
    expect(o.box.totals.events + o.box.totals.dropped).toBe(1000);
  });

  it('while paused keeps the records in the ring (it has room) and sends them once unpaused, nothing dropped', () => {
    const src = start(500, 'binary');
    const o = binaryOutbox();
    o.box.paused = true;
    trigger();
    tick(src, o.box);
    expect(o.frames).toHaveLength(0);
    o.box.paused = false;
    tick(src, o.box);
    expect(o.delivered()).toHaveLength(500);
    expect(o.box.totals).toEqual({ events: 500, printk: 0, dropped: 0 });
  });

  it('while paused with the ring more than half full, drops what it holds and counts it', () => {
    // 1300 records × 48 bytes fill 95% of the 64 KiB ring.
    const src = start(1300, 'binary');
    const o = binaryOutbox();
    triggerWhilePaused(src, o.box);
    expect(o.delivered()).toHaveLength(0);
    expect(o.dropped()).toBe(1300);
    expect(o.box.totals).toEqual({ events: 0, printk: 0, dropped: 1300 });
  });
});

describe.each([
  { format: 'JSON', eventFormat: undefined, make: outbox },
  { format: 'binary', eventFormat: 'binary', make: binaryOutbox },
] as const)('ring buffer source, $format events, over the records/s budget', ({ eventFormat, make }) => {
  it('reads what fits, consumes the rest as reported drops and so empties the ring', () => {
    const src = start(1000, eventFormat);
    const o = make({ maxEventsPerSec: 300 });
    trigger();
    tick(src, o.box);
    expect(o.delivered()).toHaveLength(300);
    expect(o.dropped()).toBe(700);
    expect(o.box.totals).toEqual({ events: 300, printk: 0, dropped: 700 });
    // The ring was emptied: the next records are read, not refused by the kernel.
    trigger();
    tick(src, o.box);
    expect(o.delivered().length + o.dropped()).toBe(2000);
  });
});
