import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeValue, openObjectSpec, recordLayout, type Btf } from '@bpfplay/btf';
import { decodeRecord, RecordLayout, recordStackFields } from '@bpfplay/protocol';
import { compileBpf, removeCompiled } from '../../../../packages/btf/test/helpers/toolchain.js';
import { recordsFixtureBtf } from './records-fixture.js';

/**
 * The record layout the agent builds from BTF (packages/btf layout.ts) is the one decoding model:
 * the agent decodes with it (decodeValue) and a client decodes binary frames with the copy it gets
 * in the `schema` frame. That copy travels as JSON and is checked with the protocol's schema; it
 * must decode exactly as the original, on real objects compiled by clang: records.bpf.c and the
 * btf package's "every BTF kind" record.bpf.c.
 */
const work = mkdtempSync(join(tmpdir(), 'bpfplay-record-layout-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeCompiled();
});

const everyKind = openObjectSpec(compileBpf('record.bpf.c').bytes, 'record.bpf.o');
const records = recordsFixtureBtf(work);

function struct(btf: Btf, name: string): number {
  const t = btf.find(name, 'struct');
  if (!t) throw new Error(`fixture has no struct ${name}`);
  return t.id;
}

/** The layout as a client receives it: through JSON and the protocol's schema. */
const sent = (btf: Btf, id: number) => RecordLayout.parse(JSON.parse(JSON.stringify(recordLayout(btf, id))));

const bytesOf = (size: number) =>
  fc.oneof(
    fc.uint8Array({ minLength: size, maxLength: size }),
    fc.uint8Array({ minLength: size, maxLength: size }).map((b) => b.map((x, i) => (i % 8 > 3 || x > 200 ? 0 : x))),
    fc.uint8Array({ minLength: size, maxLength: size }).map((b) => b.map((x) => (x % 3 === 0 ? 0 : 0x20 + (x % 95)))),
  );

const cases: [string, string, Btf][] = [
  ['records.bpf.c', 'event', records],
  ['records.bpf.c', 'small', records],
  ['records.bpf.c', 'with_bits', records],
  ['records.bpf.c', 'with_enum64', records],
  ['records.bpf.c', 'with_int128', records],
  ['btf record.bpf.c', 'record', everyKind.btf!],
];

describe('record layouts as clients receive them', () => {
  it.each(cases)('%s struct %s: the sent layout decodes any bytes as the agent does', (_f, name, btf) => {
    const id = struct(btf, name);
    const size = btf.sizeOf(id);
    const layout = sent(btf, id);
    expect(layout).toEqual(recordLayout(btf, id));
    expect(layout.size).toBe(size);
    fc.assert(
      fc.property(bytesOf(size), fc.nat(24), (bytes, extra) => {
        // A longer record is decoded from its start; a shorter one is explained, not decoded.
        const longer = new Uint8Array(size + extra);
        longer.set(bytes);
        const shorter = bytes.subarray(0, Math.max(0, size - 1 - extra));
        // Inside a larger buffer, as the records of one binary frame are (their view is shared).
        const area = new Uint8Array(extra + size + 9).fill(0xee);
        area.set(bytes, extra + 1);
        const inside = area.subarray(extra + 1, extra + 1 + size);
        for (const b of [bytes, longer, shorter, inside, area.subarray(0, 1)])
          expect(JSON.stringify(decodeRecord(layout, b))).toBe(JSON.stringify(decodeValue(btf, id, b)));
      }),
      { numRuns: 500 },
    );
  });

  it('without a layout (no record type) the bytes come back as hex, as the agent sends them', () => {
    expect(decodeRecord(undefined, Uint8Array.of(1, 0xab))).toEqual({ $hex: '01ab' });
  });

  it("the every-kind record: layout, bytes and value (the protocol package's golden)", async () => {
    // The protocol package cannot compile BPF; this file gives it a real layout and clang's bytes.
    const btf = everyKind.btf!;
    const sec = btf.find('.data', 'datasec');
    const vs = sec?.kind === 'datasec' ? sec.vars.find((v) => btf.nameOf(v.type) === 'rec') : undefined;
    const v = vs ? btf.type(vs.type) : undefined;
    if (!vs || v?.kind !== 'var') throw new Error('record.bpf.o has no variable rec in .data');
    const bytes = everyKind.elf.section('.data')!.data.subarray(vs.offset, vs.offset + vs.size);
    const golden = {
      layout: recordLayout(btf, v.type),
      hex: Buffer.from(bytes).toString('hex'),
      value: decodeValue(btf, v.type, bytes),
    };
    await expect(`${JSON.stringify(golden, null, 1)}\n`).toMatchFileSnapshot(
      '../../../../packages/protocol/test/golden/every-kind-record.json',
    );
  });
});

describe('stack fields (bpf_get_stack buffers) in a record layout', () => {
  it('are arrays of __u64 named stack/kstack/ustack/… or tagged BPFPLAY_STACK; nothing else is', () => {
    const src = join(work, 'stacks.bpf.c');
    writeFileSync(
      src,
      `typedef unsigned long long __u64; typedef long long __s64; typedef unsigned int __u32;
struct event {
	__u32 tgid;
	__u32 pid;
	char comm[16];
	__u64 kstack[4];
	__u64 user_stack[4];
	__u64 frames[4] __attribute__((btf_decl_tag("bpfplay.stack")));
	__s64 stack[4];
	__u32 ustack[4];
	__u64 other[4];
};
struct event rec;
`,
    );
    const out = join(work, 'stacks.bpf.o');
    execFileSync('/usr/bin/clang-19', ['-g', '-O2', '-target', 'bpf', '-c', src, '-o', out]);
    const btf = openObjectSpec(readFileSync(out), 'stacks.bpf.o').btf!;
    const layout = RecordLayout.parse(JSON.parse(JSON.stringify(recordLayout(btf, struct(btf, 'event')))));
    // Signed (`__s64 stack`), 4-byte (`__u32 ustack`) and unnamed-and-untagged (`other`) arrays stay lists.
    expect(recordStackFields(layout)).toEqual([
      { field: 'kstack', off: 24, n: 4, pid: 'tgid', comm: 'comm' },
      { field: 'user_stack', off: 56, n: 4, pid: 'tgid', comm: 'comm' },
      { field: 'frames', off: 88, n: 4, pid: 'tgid', comm: 'comm' },
    ]);
  });
});
