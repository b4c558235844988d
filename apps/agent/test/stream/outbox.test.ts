import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/stream/outbox.js';

type Frame = { type: string; payload: Record<string, unknown> };

function outbox(limits: {
  maxEventsPerSec?: number;
  maxPrintkPerSec?: number;
  maxBytesPerSec?: number;
  rateShare?: number;
}) {
  const frames: Frame[] = [];
  const box = new Outbox(
    (type, payload) => frames.push({ type, payload }),
    // Event frames arrive as JSON text: parse them as the client would.
    (type, frame) =>
      frames.push({ type, payload: JSON.parse(Buffer.from(frame).toString()) as Record<string, unknown> }),
    {
      maxEventsPerSec: 1_000_000,
      maxPrintkPerSec: 1_000_000,
      maxBytesPerSec: 1 << 30,
      ...limits,
    },
  );
  /** What a source does with each record it reads from the kernel. */
  const offer = (n: number, value: unknown = { pid: 1 }) => {
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      if (box.admitEvent()) box.pushEvent('events', { t: i, value: value as never });
      else dropped++;
    }
    box.dropEvents('events', dropped);
  };
  const delivered = () =>
    frames.filter((f) => f.type === 'events').reduce((n, f) => n + (f.payload.records as unknown[]).length, 0);
  const droppedSeen = () =>
    frames.filter((f) => f.type === 'events').reduce((n, f) => n + (f.payload.dropped as number), 0);
  return { box, frames, offer, delivered, droppedSeen };
}

describe('outbox budgets', () => {
  it('drops what exceeds the events/s budget and accounts for every record', () => {
    const o = outbox({ maxEventsPerSec: 1000 });
    o.offer(5000);
    o.box.flush();
    expect(o.delivered()).toBe(1000);
    expect(o.droppedSeen()).toBe(4000);
    expect(o.box.totals).toEqual({ events: 1000, printk: 0, dropped: 4000 });
  });

  it('drops what exceeds the bytes/s budget, measured on the JSON the client receives', () => {
    const o = outbox({ maxBytesPerSec: 10_000 });
    const value = { text: 'x'.repeat(100) };
    const size = JSON.stringify({ t: 0, value }).length;
    o.offer(1000, value);
    o.box.flush();
    expect(o.delivered()).toBeLessThanOrEqual(Math.floor(10_000 / size) + 1);
    expect(o.delivered()).toBeGreaterThan(50);
    expect(o.delivered() + o.droppedSeen()).toBe(1000);
    const frameBytes = o.frames.reduce((n, f) => n + JSON.stringify(f.payload.records).length, 0);
    expect(frameBytes).toBeLessThan(10_000 + 1000);
  });

  it('splits the session budget between runs (rateShare) and follows a new share at once', () => {
    const o = outbox({ maxEventsPerSec: 1000, rateShare: 0.25 });
    o.offer(1000);
    o.box.flush();
    expect(o.delivered()).toBe(250);
    o.box.setShare(1);
    o.offer(1000);
    o.box.flush();
    expect(o.delivered()).toBe(1000); // 250 more fit this second, then the rest of the new 1000
    expect(o.box.totals.events + o.box.totals.dropped).toBe(2000);
  });

  it('while paused admits nothing, keeps nothing, and counts everything as dropped', () => {
    const o = outbox({});
    o.box.paused = true;
    o.offer(300);
    o.box.flush();
    expect(o.frames).toEqual([]);
    o.box.paused = false;
    o.box.flush();
    expect(o.delivered()).toBe(0);
    expect(o.droppedSeen()).toBe(300);
  });

  it('applies the byte budget to printk lines too', () => {
    const o = outbox({ maxBytesPerSec: 4096 });
    for (let i = 0; i < 200; i++) {
      if (o.box.admitPrintk()) o.box.pushPrintk({ t: i, cpu: 0, text: 'y'.repeat(60) });
      else o.box.dropPrintk(1);
    }
    o.box.flush();
    const p = o.frames.find((f) => f.type === 'printk')!;
    expect((p.payload.lines as unknown[]).length).toBe(o.box.totals.printk);
    expect(o.box.totals.printk).toBe(Math.floor(4096 / 100));
    expect(o.box.totals.printk + (p.payload.dropped as number)).toBe(200);
  });
});
