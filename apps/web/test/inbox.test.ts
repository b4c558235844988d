import { describe, expect, it } from 'vitest';
import type { ServerMessage, ServerMessageOf, Value } from '@bpfplay/protocol';
import { Inbox } from '../src/state/inbox';
import { formatValue } from '../src/state/format';
import { cellTable, deliverySummary, inboxItems, rowBatches, schemaFrame } from './rows';

const COLUMNS = ['pid', 'comm', 'args'];
/** An events frame (the JSON form) of struct records given as rows of field values, all read at t = 12.5. */
const compact = (seq: number, rows: Value[][], extra: Partial<ServerMessageOf<'events'>> = {}): ServerMessage => ({
  type: 'events',
  seq,
  runId: 'r',
  source: 'events',
  records: rows.map((row) => ({ t: 12.5, value: Object.fromEntries(COLUMNS.map((c, i) => [c, row[i] ?? null])) })),
  dropped: 0,
  ...extra,
});
const objects = (seq: number, values: Value[], extra: Partial<ServerMessageOf<'events'>> = {}): ServerMessage => ({
  type: 'events',
  seq,
  runId: 'r',
  source: 'events',
  dropped: 0,
  records: values.map((value, i) => ({ t: i, value })),
  ...extra,
});

describe('inbox: agent frames to rows for the Events table', () => {
  it('turns records into cell text in column order, each formatted as the table shows values', () => {
    const values: Value[] = [1234, 'bash', ['-c', 'ls']];
    const [b] = rowBatches(inboxItems([compact(0, [values, [1, 'a\u00e9', { $hex: '00ff', $error: 'short' }]])]));
    expect(b!.columns).toEqual(['pid', 'comm', 'args']);
    expect(cellTable(b!)).toEqual([values.map((v) => formatValue(v)), ['1', 'aé', '0x00ff (short)']]);
    expect([...b!.t]).toEqual([12.5, 12.5]);
    expect(b!.cpu).toBeNull();
  });

  it("lays out record objects with the schema's columns, else the first record's fields, else one value column", () => {
    const schema = schemaFrame([
      { name: 'comm', type: 'char[16]' },
      { name: 'pid', type: 'u32' },
    ]);
    const withSchema = rowBatches(inboxItems([schema, objects(1, [{ pid: 7, comm: 'sh' }])]));
    expect(cellTable(withSchema[0]!)).toEqual([['sh', '7']]);
    const noSchema = rowBatches(
      inboxItems([
        objects(0, [
          { pid: 7, comm: 'sh' },
          { comm: 'x', other: 1 },
        ]),
      ]),
    );
    expect(noSchema[0]!.columns).toEqual(['pid', 'comm']);
    expect(cellTable(noSchema[0]!)).toEqual([
      ['7', 'sh'],
      ['', 'x'],
    ]);
    const hex = rowBatches(inboxItems([objects(0, [{ $hex: 'beef' }, 5])]));
    expect(hex[0]!.columns).toEqual(['value']);
    expect(cellTable(hex[0]!)).toEqual([['0xbeef'], ['5']]);
  });

  it('shows a bpf_get_stack() field by frame name, innermost first, from the symbols frames before it', () => {
    const schema = schemaFrame(
      [
        { name: 'pid', type: '__u32' },
        { name: 'ustack', type: '__u64[4]' },
        { name: 'kstack', type: '__u64[4]' },
      ],
      {
        stacks: [
          { field: 'ustack', off: 8, n: 4, pid: 'pid' },
          { field: 'kstack', off: 40, n: 4, pid: 'pid' },
        ],
      },
    );
    const symbols: ServerMessage = {
      type: 'symbols',
      seq: 1,
      runId: 'r',
      names: { '0xffffffff81000010': 'vfs_open+0x10', '7:0x401000': 'main+0x0 (bash)' },
    };
    const rec = { pid: 7, ustack: [0x401000, 0x402000, 0, 0], kstack: ['18446744071578845200', 0, 0, 0] };
    const rows = rowBatches(inboxItems([schema, symbols, objects(2, [rec])]));
    // A frame without a name yet stays its address; the zeros after the last frame are not frames.
    expect(cellTable(rows[0]!)).toEqual([['7', 'main+0x0 (bash) ← 0x402000', 'vfs_open+0x10']]);
  });

  it('keeps the CPU of perf buffer records', () => {
    const [b] = rowBatches(
      inboxItems([
        {
          type: 'events',
          seq: 0,
          runId: 'r',
          source: 'p',
          dropped: 0,
          records: [
            { t: 1, value: 1 },
            { t: 2, cpu: 1, value: 2 },
          ],
        },
      ]),
    );
    expect([...b!.cpu!]).toEqual([-1, 1]);
  });

  it('merges consecutive frames of a source into one batch, and keeps the order with other messages', () => {
    const items = inboxItems([
      compact(0, [[1, 'a', 0]], { dropped: 2 }),
      compact(1, [[2, 'b', 0]], { dropped: 3 }),
      { type: 'pong', seq: 2 },
      compact(3, [[3, 'c', 0]]),
    ]);
    expect(deliverySummary(items)).toEqual(['rows 2 dropped 5', 'pong', 'rows 1 dropped 0']);
  });

  it('reports a frame it cannot read and a gap in seq, and goes on', () => {
    const items = inboxItems([
      compact(0, [[1, 'a', 0]]),
      '{oops',
      { type: 'pong', seq: 1 },
      { type: 'pong', seq: 4 },
      compact(5, [[1]], { records: 'no' as unknown as ServerMessageOf<'events'>['records'] }),
    ]);
    const texts = items.map((d) => (d.kind === 'problem' ? d.text : d.kind));
    expect(texts).toEqual([
      'rows',
      expect.stringMatching(/^agent sent a frame this web app cannot read \(message is not JSON/),
      'message',
      'frames 2..3 from the agent are missing; output may be incomplete',
      'message',
      expect.stringMatching(
        /^agent sent a frame this web app cannot read \(bad "events" message: .*records.*\); are the agent and web app the same version\?$/,
      ),
    ]);
  });

  it("keeps at most about the table's worth of rows while the page does not take them, and counts the rest", () => {
    const inbox = new Inbox(10);
    let seq = 0;
    for (let f = 0; f < 7; f++)
      inbox.frame(
        JSON.stringify(
          compact(
            seq++,
            Array.from({ length: 4 }, (_, i) => [f * 4 + i, 'x', 0]),
          ),
        ),
      );
    const batches = rowBatches(inbox.take()!.output.items);
    const kept = batches.reduce((n, b) => n + b.count, 0);
    const skipped = batches.reduce((n, b) => n + b.skipped, 0);
    expect(kept + skipped).toBe(28);
    expect(kept).toBeGreaterThanOrEqual(10);
    expect(kept).toBeLessThanOrEqual(20);
    // The newest rows are the ones kept, in order.
    const pids = batches.flatMap((b) => cellTable(b).map((r) => Number(r[0])));
    expect(pids).toEqual(Array.from({ length: kept }, (_, i) => 28 - kept + i));
    expect(inbox.take()).toBeNull();
  });

  it('formats only the newest rows of a frame larger than the table', () => {
    const [b] = rowBatches(
      inboxItems(
        [
          compact(0, [[1, 'a', 0]]),
          compact(
            1,
            Array.from({ length: 25 }, (_, i) => [100 + i, 'x', 0]),
          ),
        ],
        10,
      ),
    );
    expect(b!.count).toBe(10);
    expect(b!.skipped).toBe(16);
    expect(cellTable(b!)[0]![0]).toBe('115');
  });

  it('moves the typed arrays of a batch instead of copying them', () => {
    const inbox = new Inbox();
    inbox.frame(JSON.stringify(compact(0, [[1, 'a', 0]])));
    const { output, transfer } = inbox.take()!;
    const b = rowBatches(output.items)[0]!;
    expect(transfer).toEqual([b.t.buffer, b.ends.buffer]);
  });
});
