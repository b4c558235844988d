import { describe, expect, it } from 'vitest';
import { Ring } from '../src/state/ring';

describe('Ring keeps the last N items', () => {
  it('keeps insertion order until full', () => {
    const r = new Ring<number>(3);
    r.push(1);
    r.push(2);
    expect(r.toArray()).toEqual([1, 2]);
    expect(r.evicted).toBe(0);
  });
  it('drops the oldest when full and counts what it dropped', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 7; i++) r.push(i);
    expect(r.toArray()).toEqual([5, 6, 7]);
    expect(r.at(0)).toBe(5);
    expect(r.at(3)).toBeUndefined();
    expect(r.total).toBe(7);
    expect(r.evicted).toBe(4);
  });
  it('pushAll of a batch larger than the ring keeps its tail', () => {
    const r = new Ring<number>(4);
    r.push(0);
    r.pushAll(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(r.toArray()).toEqual([7, 8, 9, 10]);
    expect(r.total).toBe(11);
  });
  it('clear empties it', () => {
    const r = new Ring<number>(2);
    r.pushAll([1, 2, 3]);
    r.clear();
    expect(r.length).toBe(0);
    expect(r.total).toBe(0);
  });
  it('refuses a zero capacity', () => {
    expect(() => new Ring(0)).toThrow(/positive integer/);
  });
});
