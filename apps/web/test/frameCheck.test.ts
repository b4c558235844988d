import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '@bpfplay/protocol';
import { checkServerFrame } from '../src/state/frameCheck';

/** A small seeded generator, so a failure names the case that shows it. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  /** Mostly the first (valid) choice, now and then one of the others. */
  const mostly = <T>(xs: readonly T[]): T => (next() < 0.85 ? xs[0]! : pick(xs));
  return { next, int: (n: number) => Math.floor(next() * n), pick, mostly };
}
type R = ReturnType<typeof rng>;

/** JSON text of a value, sometimes with a number JSON.parse turns into Infinity (not a protocol Value). */
function valueJson(r: R, depth = 0): string {
  const k = r.int(depth > 2 ? 5 : 8);
  switch (k) {
    case 0:
      return 'null';
    case 1:
      return r.pick(['true', 'false']);
    case 2:
      return r.next() < 0.9
        ? r.pick(['0', '-1', '4294967295', '1.5', '-0', '1e308', '3'])
        : r.pick(['1e999', '-1e999']);
    case 3:
    case 4:
      return JSON.stringify(r.pick(['', 'bash', '0xffff', '18446744073709551615', 'é', 'İ']));
    case 5:
      return `[${Array.from({ length: r.int(4) }, () => valueJson(r, depth + 1)).join(',')}]`;
    case 6:
      return `{${Array.from({ length: r.int(4) }, (_, i) => `${JSON.stringify(r.pick(['a', 'pid', '$hex', '$error', '__proto__', `k${i}`]))}:${valueJson(r, depth + 1)}`).join(',')}}`;
    default:
      return `{"$hex":"00ff","$error":"short"}`;
  }
}

function rowsJson(r: R): string {
  switch (r.int(12)) {
    case 0:
      return '{}';
    case 1:
      return `[${r.pick(['1', 'null', '"x"', '{}'])}]`; // a row that is not an array
    default:
      return `[${Array.from({ length: r.int(4) }, () => `[${Array.from({ length: r.int(4) }, () => valueJson(r)).join(',')}]`).join(',')}]`;
  }
}

function recordJson(r: R): string {
  const fields: string[] = [];
  if (r.int(20) > 0) fields.push(`"t":${r.mostly(['1.25', '0', '"1"', '1e999', 'null'])}`);
  if (r.int(3) === 0) fields.push(`"cpu":${r.mostly(['3', '0', '-1', '1.5', '"0"', 'null', '9007199254740993'])}`);
  if (r.int(20) > 0) fields.push(`"value":${valueJson(r)}`);
  if (r.int(5) === 0) fields.push(`"extra":1`);
  return r.int(20) === 0 ? valueJson(r) : `{${fields.join(',')}}`;
}

function eventsFrame(r: R): string {
  const fields = [
    `"type":"events"`,
    `"seq":${r.mostly(['1', '-1', '1.5'])}`,
    `"runId":${r.mostly(['"r"', '1'])}`,
    `"source":"events"`,
    `"dropped":${r.mostly(['0', '7', '-1'])}`,
  ];
  fields.push(
    r.int(30) === 0 ? `"records":{}` : `"records":[${Array.from({ length: r.int(3) }, () => recordJson(r)).join(',')}]`,
  );
  if (r.int(2)) fields.push(`"rows":${rowsJson(r)}`);
  if (r.int(2)) fields.push(`"columns":${r.mostly(['["pid","comm"]', '[1]', '[]'])}`);
  if (r.int(2)) fields.push(`"t":${r.mostly(['5', '"5"'])}`);
  // Drop a field now and then.
  if (r.int(20) === 0) fields.splice(1 + r.int(fields.length - 1), 1);
  return `{${fields.join(',')}}`;
}

describe('checking agent frames fast', () => {
  it('accepts and refuses exactly the events frames the protocol schema does (3000 generated frames)', () => {
    const r = rng(20261127);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const raw = eventsFrame(r);
      const fast = checkServerFrame(raw);
      const zod = parseServerMessage(raw);
      expect(
        fast.ok,
        `case ${i}: ${raw}\nschema says: ${zod.ok ? 'ok' : zod.message}\nfast says: ${fast.ok ? 'ok' : fast.message}`,
      ).toBe(zod.ok);
      if (fast.ok && zod.ok) {
        accepted++;
        const a = fast.message;
        const b = zod.message;
        if (a.type !== 'events' || b.type !== 'events') throw new Error('not an events frame');
        expect(a.rows).toEqual(b.rows);
        expect(a.records.map((x) => [x.t, x.cpu, x.value])).toEqual(b.records.map((x) => [x.t, x.cpu, x.value]));
        expect({ ...a, rows: undefined, records: undefined }).toEqual({ ...b, rows: undefined, records: undefined });
      }
    }
    // The generator must exercise both sides.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(2700);
  });

  it('says where an events frame is wrong and which run it belongs to', () => {
    const bad = checkServerFrame(
      JSON.stringify({ type: 'events', seq: 1, runId: 'r9', source: 'e', records: [], dropped: 0, rows: [[1], 2] }),
    );
    expect(bad).toEqual({
      ok: false,
      code: 'bad-message',
      message: 'bad "events" message: rows.1: expected array',
      runId: 'r9',
      type: 'events',
    });
    const inf = checkServerFrame(
      '{"type":"events","seq":1,"runId":"r","source":"e","records":[],"dropped":0,"rows":[[1,1e999]]}',
    );
    expect(inf.ok || inf.message).toBe('bad "events" message: rows.0.1: expected a JSON value');
  });

  it('checks every other message with the schema itself', () => {
    for (const raw of [
      '{"type":"pong","seq":1}',
      '{"type":"status","seq":2,"runId":"r","state":"sideways","t":0}',
      '{"type":"nope","seq":1}',
      '{nope',
      '[]',
    ]) {
      const a = checkServerFrame(raw);
      const b = parseServerMessage(raw);
      expect(a.ok ? 'ok' : a.message).toBe(b.ok ? 'ok' : b.message);
    }
  });
});
