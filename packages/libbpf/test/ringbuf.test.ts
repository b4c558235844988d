import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfObject, RingBufferReader } from '../src/index.js';
import { compileBpf } from './bpf-object.js';

/**
 * The ring reader against a real ring: each getppid() of this process (Node calls it for every read
 * of `process.ppid`) writes BURST records with consecutive `seq` into a 16 KiB ring and discards
 * every fifth one, so a few bursts wrap the ring several times.
 */
const BURST = 500;
const PRODUCER = `
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct rec { u32 seq; u32 magic; u64 pad; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16384); } rb SEC(".maps");
const volatile u32 tgid = 0;
u32 next_seq = 0;
u32 refused = 0;
static long one(u32 i, void *ctx) {
  struct rec *r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
  if (!r) { refused++; return 0; }
  r->seq = next_seq++;
  r->magic = 0xfeedf00d;
  if (r->seq % 5 == 4) bpf_ringbuf_discard(r, 0); else bpf_ringbuf_submit(r, 0);
  return 0;
}
SEC("tracepoint/syscalls/sys_enter_getppid")
int tst_ring(void *ctx) {
  if ((bpf_get_current_pid_tgid() >> 32) != tgid) return 0;
  bpf_loop(${BURST}, one, 0, 0);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** Kept records of one burst: 4 of every 5 (every fifth is discarded by the program). */
const KEPT = (BURST / 5) * 4;
const burst = () => void process.ppid;

describe('RingBufferReader on a real ring that wraps', () => {
  let obj: BpfObject;
  let rb: RingBufferReader;
  let expected = 0;

  /** The seqs the program submitted, in order: every number except those ≡ 4 (mod 5). */
  const nextKept = () => {
    const s = expected++;
    if (expected % 5 === 4) expected++;
    return s;
  };

  beforeAll(() => {
    obj = BpfObject.openMem(compileBpf(PRODUCER));
    const rodata = obj
      .maps()
      .find((m) => m.name.endsWith('.rodata'))!
      .initialValue()!;
    new DataView(rodata.buffer, rodata.byteOffset).setUint32(0, process.pid, true);
    obj.load();
    obj.programs()[0]!.attach();
    rb = new RingBufferReader(obj.map('rb')!.fd, obj.map('rb')!.maxEntries);
  });
  afterAll(() => {
    rb.close();
    obj.close();
  });

  it('drainInPlace hands out every submitted record in order, in place, never the discarded ones', () => {
    for (let round = 0; round < 4; round++) {
      burst();
      const seqs: number[] = [];
      const n = rb.drainInPlace((off, len) => {
        expect(len).toBe(16);
        expect(rb.view.getUint32(off + 4, true)).toBe(0xfeedf00d);
        seqs.push(rb.view.getUint32(off, true));
      });
      expect(n).toBe(KEPT);
      expect(seqs).toEqual(Array.from({ length: KEPT }, nextKept));
      expect(rb.pending()).toBe(0);
    }
  });

  it('drain stops after max records and the next drain continues where it stopped', () => {
    burst();
    const first: number[] = [];
    expect(rb.drain((r) => first.push(new DataView(r.buffer, r.byteOffset).getUint32(0, true)), 150)).toBe(150);
    expect(rb.pending()).toBeGreaterThan(0);
    const rest: number[] = [];
    expect(rb.drain((r) => rest.push(new DataView(r.buffer, r.byteOffset).getUint32(0, true)))).toBe(KEPT - 150);
    expect([...first, ...rest]).toEqual(Array.from({ length: KEPT }, nextKept));
  });

  it('skip consumes records without reading them, counts them, and frees the ring', () => {
    burst();
    expect(rb.skip(100)).toBe(100);
    expect(rb.skip()).toBe(KEPT - 100);
    expect(rb.pending()).toBe(0);
    for (let i = 0; i < KEPT; i++) nextKept();
    // A ring that was skipped is as usable as one that was read.
    burst();
    const seqs: number[] = [];
    rb.drainInPlace((off) => seqs.push(rb.view.getUint32(off, true)));
    expect(seqs).toEqual(Array.from({ length: KEPT }, nextKept));
  });

  it('a full ring refuses records in the kernel; the reader sees only what fit, in order', () => {
    // 16 KiB holds 682 records of 24 bytes: two bursts without a drain overflow it.
    burst();
    burst();
    const seqs: number[] = [];
    rb.drainInPlace((off) => seqs.push(rb.view.getUint32(off, true)));
    expect(seqs.length).toBeGreaterThan(KEPT);
    expect(seqs.length).toBeLessThan(2 * KEPT);
    expect(seqs[0]).toBe(nextKept());
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
  });
});
