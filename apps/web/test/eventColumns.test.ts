import { describe, expect, it } from 'vitest';
import { ColumnWidths, MAX_AUTO_CH, RecordClock, timestampColumn } from '../src/state/eventColumns';

describe('events table columns', () => {
  it('a column is as wide as its widest text, never shrinks, and is capped', () => {
    const w = new ColumnWidths(['pid', 'filename']);
    expect(w.of('pid')).toBe(4);
    expect(w.of('filename')).toBe(8);
    w.fit('filename', '/usr/bin/getent');
    w.fit('filename', 'ls');
    expect(w.of('filename')).toBe(15);
    w.fit('filename', 'x'.repeat(500));
    expect(w.of('filename')).toBe(MAX_AUTO_CH);
    expect(w.template(['pid', 'filename'], { pid: 120 })).toBe(`120px ${MAX_AUTO_CH + 1}ch`);
  });

  it('the record’s own timestamp: a 64-bit field named like one', () => {
    const types = new Map([
      ['ts', '__u64'],
      ['pid', '__u32'],
      ['timestamp_ns', 'unsigned long long'],
      ['delta_us', '__u64'],
    ]);
    expect(timestampColumn(['pid', 'ts'], types)).toBe('ts');
    expect(timestampColumn(['pid', 'timestamp_ns'], types)).toBe('timestamp_ns');
    expect(timestampColumn(['pid', 'delta_us'], types)).toBeNull();
    expect(timestampColumn(['ts'], new Map([['ts', 'char[16]']]))).toBeNull();
  });

  it('records of one batch get their own times, placed by their timestamps', () => {
    const c = new RecordClock();
    const batchMs = 1500;
    expect(c.timeMs('5000000000000', batchMs)).toBe(1500);
    expect(c.timeMs('5000000250000', batchMs)).toBe(1500.25);
    expect(c.timeMs('4999999000000', batchMs)).toBe(1499);
    expect(c.timeMs('not a number', batchMs)).toBeNull();
    // A value hours away from the run is not a clock reading of it.
    expect(c.timeMs('9000000000000000', batchMs)).toBeNull();
  });
});
