/**
 * The guest is not trusted: the host's reader of its wire format must refuse a length it could not
 * have meant (instead of buffering without end) and a payload its handler cannot parse (instead of
 * throwing in the runner), and read nothing after.
 */
import { describe, expect, it } from 'vitest';
import { GuestReader, type GuestMessage } from '../../src/guest/wire.js';

const frame = (kind: string, payload: Buffer) => {
  const head = Buffer.alloc(5);
  head.writeUInt32LE(payload.length + 1, 0);
  head[4] = kind.charCodeAt(0);
  return Buffer.concat([head, payload]);
};

describe('GuestReader', () => {
  it('reassembles messages split across chunks', () => {
    const got: GuestMessage[] = [];
    const r = new GuestReader((m) => got.push({ kind: m.kind, p: Buffer.from(m.p) }));
    const bytes = Buffer.concat([frame('R', Buffer.from('abc')), frame('P', Buffer.from('de'))]);
    for (const b of bytes) r.push(Buffer.from([b]));
    expect(got.map((m) => `${m.kind}:${m.p.toString()}`)).toEqual(['R:abc', 'P:de']);
  });

  it('stops at a length past the limit, and reads nothing after it', () => {
    const got: string[] = [];
    const errors: string[] = [];
    const r = new GuestReader(
      (m) => got.push(m.kind),
      (why) => errors.push(why),
      1024,
    );
    const huge = Buffer.alloc(5);
    huge.writeUInt32LE(1 << 30, 0);
    r.push(Buffer.concat([frame('A', Buffer.from('x')), huge]));
    r.push(frame('B', Buffer.from('y')));
    expect(got).toEqual(['A']);
    expect(errors).toEqual([`the guest sent a message of ${1 << 30} bytes (limit 1024); it was stopped`]);
  });

  it('stops when a handler cannot parse a payload', () => {
    const errors: string[] = [];
    const r = new GuestReader(
      () => {
        throw new Error('short payload');
      },
      (why) => errors.push(why),
    );
    r.push(frame('S', Buffer.alloc(0)));
    expect(errors).toEqual(["the guest sent a 'S' message it could not have meant (short payload); it was stopped"]);
  });
});
