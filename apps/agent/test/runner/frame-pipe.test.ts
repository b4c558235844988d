import { Writable } from 'node:stream';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FramePipeReader, FramePipeWriter } from '../../src/runner/frame-pipe.js';
import type { FromRun, FromRunner } from '../../src/runner/ipc.js';

type Sent = FromRun & { slot: number };

/** A pipe end that records its writes, as a socket makes them (a corked batch is one writev). */
function recorder() {
  const chunks: Buffer[] = [];
  let writes = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes++;
      chunks.push(chunk);
      cb();
    },
    writev(batch, cb) {
      writes++;
      for (const c of batch) chunks.push(c.chunk as Buffer);
      cb();
    },
  });
  return { out: out as unknown as Socket, bytes: () => Buffer.concat(chunks), writes: () => writes };
}

/** What the writer puts on the pipe for `messages` sent in one turn of the event loop, as one byte string. */
async function encode(messages: Sent[]): Promise<Buffer> {
  const r = recorder();
  const w = new FramePipeWriter(r.out);
  for (const m of messages) w.send(m);
  await new Promise((res) => setImmediate(res));
  return r.bytes();
}

/** Frames come back with their JSON as bytes: compare them as text. */
const normalize = (m: FromRunner) =>
  m.t === 'frame'
    ? { ...m, json: Buffer.from(m.json as Uint8Array).toString('utf8') }
    : m.t === 'binary'
      ? { t: m.t, slot: m.slot, header: Buffer.from(m.header as Uint8Array).toString('utf8'), records: [...m.records] }
      : m;

// Two runs of one runner process, interleaved: slots 0 and 7.
const messages: Sent[] = [
  { t: 'frame', slot: 0, type: 'attached', json: '{"type":"attached","runId":"r","links":[]}' },
  { t: 'state', slot: 7, state: 'running', message: '1 program attached' },
  {
    t: 'frame',
    slot: 7,
    type: 'events',
    json: Buffer.from(
      '{"type":"events","runId":"r","source":"é","records":[{"t":1,"value":{"comm":"ünï"}}],"dropped":0}',
    ),
  },
  {
    t: 'frame',
    slot: 0,
    type: 'events',
    json: Buffer.from(
      `{"type":"events","runId":"r","source":"big","records":[${'{"t":2,"value":1},'.repeat(20000)}{"t":3,"value":2}],"dropped":5}`,
    ),
  },
  {
    t: 'binary',
    slot: 7,
    header: '{"type":"events","runId":"r","source":"ring","count":2,"dropped":1,"t":4}',
    records: Uint8Array.of(1, 0, 0, 0, 0xaa, 2, 0, 0, 0, 0xbb, 0xcc),
  },
  {
    t: 'binary',
    slot: 4_000_000_000,
    header: Buffer.from('{"type":"events","runId":"r","source":"ring","count":0,"dropped":9,"t":5}'),
    records: new Uint8Array(0),
  },
  { t: 'done', slot: 0, reason: 'user', message: 'stopped by the user', stats: { events: 3, printk: 0, dropped: 5 } },
];

describe('runner frame pipe', () => {
  it('delivers every message, in order, whatever the chunk boundaries', async () => {
    const bytes = await encode(messages);
    const expected = messages.map(normalize);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 40 }), (cuts) => {
        const got: FromRunner[] = [];
        const r = new FramePipeReader((m) => got.push(m));
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let at = 0;
        for (const p of [...points, bytes.length]) {
          r.push(bytes.subarray(at, p));
          at = p;
        }
        expect(got.map(normalize)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a binary frame arrives as one buffer laid out as the WebSocket message (u32 header length, header, records)', async () => {
    const got: FromRunner[] = [];
    const r = new FramePipeReader((m) => got.push(m));
    r.push(await encode([messages.find((m) => m.t === 'binary')!]));
    const m = got[0]!;
    if (m.t !== 'binary' || !m.wire) throw new Error('expected a binary message with its wire bytes');
    const wire = Buffer.from(m.wire);
    const h = wire.readUInt32LE(0);
    expect(wire.toString('utf8', 4, 4 + h)).toBe(Buffer.from(m.header as Uint8Array).toString('utf8'));
    expect([...wire.subarray(4 + h)]).toEqual([...m.records]);
  });

  it('byte by byte too (a length prefix split across reads)', async () => {
    const bytes = await encode(messages.slice(0, 3));
    const got: FromRunner[] = [];
    const r = new FramePipeReader((m) => got.push(m));
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    expect(got.map(normalize)).toEqual(messages.slice(0, 3).map(normalize));
  });

  it('keeps its own copy of a frame: the runner may reuse its buffer right after sending', async () => {
    const r = recorder();
    const w = new FramePipeWriter(r.out);
    const reused = Buffer.from('{"type":"events","n":1}');
    w.send({ t: 'frame', slot: 3, type: 'events', json: reused });
    reused.fill(0x20);
    await new Promise((res) => setImmediate(res));
    const got: FromRunner[] = [];
    new FramePipeReader((m) => got.push(m)).push(r.bytes());
    expect(normalize(got[0]!)).toEqual({ t: 'frame', slot: 3, type: 'events', json: '{"type":"events","n":1}' });
  });

  it('what is sent in one turn of the event loop leaves in one write (the agent wakes once for it)', async () => {
    const r = recorder();
    const w = new FramePipeWriter(r.out);
    for (const m of messages.slice(0, 5)) w.send(m);
    expect(r.writes()).toBe(0);
    await new Promise((res) => setImmediate(res));
    expect(r.writes()).toBe(1);
    w.send(messages[5]!);
    await new Promise((res) => setImmediate(res));
    expect(r.writes()).toBe(2);
    const got: FromRunner[] = [];
    new FramePipeReader((m) => got.push(m)).push(r.bytes());
    expect(got.map(normalize)).toEqual(messages.slice(0, 6).map(normalize));
  });
});
