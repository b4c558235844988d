import { describe, expect, it } from 'vitest';
import { encodeBinaryEvents, RecordLayout } from '@bpfplay/protocol';
import { cellRaw, cellText, type RowBatch } from '../src/state/rowBatch';
import { matchBatch, parseFilter } from '../src/state/eventFilter';
import { inboxItems, rowBatches, schemaFrame, type TestFrame } from './rows';

/**
 * Names for numbers in the Events table: a field with a readable form (the layout names its
 * formatter; JSON records carry it in `shown`) shows `-ENOENT`, with the raw `-2` kept for the
 * hover, the same from binary frames and from the JSON form; a filter finds either.
 */
const layout = RecordLayout.parse({
  typeName: 'struct event',
  size: 16,
  root: {
    k: 'struct',
    off: 0,
    fields: [
      { name: 'pid', node: { k: 'int', off: 0, size: 4, signed: false } },
      { name: 'ret', node: { k: 'int', off: 4, size: 4, signed: true, fmt: 'ret-errno' } },
      { name: 'flags', node: { k: 'int', off: 8, size: 4, signed: true, fmt: 'open-flags' } },
      { name: 'fname', node: { k: 'chars', off: 12, n: 4 } },
    ],
  },
});
const columns = ['pid', 'ret', 'flags', 'fname'];
/** pid 42, ret -2, flags O_CLOEXEC; then pid 43, ret 3 (a fd: no name), flags 0. */
const records = [
  Uint8Array.of(42, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 8, 0, 0x2f, 0x78, 0, 0),
  Uint8Array.of(43, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x2f, 0x79, 0, 0),
];
const schema = schemaFrame(
  columns.map((name) => ({ name, type: 'int' })),
  { layout },
);

function rows(frames: TestFrame[]): RowBatch {
  const b = rowBatches(inboxItems(frames))[0];
  if (!b) throw new Error('no rows');
  return b;
}
const shown = (b: RowBatch) => Array.from({ length: b.count }, (_, r) => columns.map((_, c) => cellText(b, r, c)));
const raw = (b: RowBatch) => Array.from({ length: b.count }, (_, r) => columns.map((_, c) => cellRaw(b, r, c)));

describe('names for numbers in the Events table', () => {
  const fromBinary = rows([
    schema,
    encodeBinaryEvents({ type: 'events', seq: 1, runId: 'r', source: 'events', dropped: 0, t: 1 }, records),
  ]);
  const fromJson = rows([
    { ...schema, layout: undefined },
    {
      type: 'events',
      seq: 1,
      runId: 'r',
      source: 'events',
      dropped: 0,
      records: [
        {
          t: 1,
          value: { pid: 42, ret: -2, flags: 524288, fname: '/x' },
          shown: { ret: '-ENOENT', flags: 'O_RDONLY|O_CLOEXEC' },
        },
        { t: 1, value: { pid: 43, ret: 3, flags: 0, fname: '/y' }, shown: { flags: 'O_RDONLY' } },
      ],
    },
  ]);

  it('shows the readable form and keeps the raw value for the hover, from binary frames and JSON alike', () => {
    expect(shown(fromBinary)).toEqual([
      ['42', '-ENOENT', 'O_RDONLY|O_CLOEXEC', '/x'],
      ['43', '3', 'O_RDONLY', '/y'],
    ]);
    expect(raw(fromBinary)).toEqual([
      [undefined, '-2', '524288', undefined],
      [undefined, undefined, '0', undefined],
    ]);
    expect(shown(fromJson)).toEqual(shown(fromBinary));
    expect(raw(fromJson)).toEqual(raw(fromBinary));
  });

  it('a filter finds a record by its name or by its number', () => {
    const hits = (q: string) => {
      const out: number[] = [];
      matchBatch(fromBinary, 0, fromBinary.count, parseFilter(q, columns)!, 0, out);
      return out;
    };
    expect(hits('enoent')).toEqual([0]);
    expect(hits('ret=-2')).toEqual([0]);
    expect(hits('ret=3')).toEqual([1]);
    expect(hits('cloexec')).toEqual([0]);
  });
});
