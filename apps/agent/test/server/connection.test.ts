import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/server/connection.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';

/** A stand-in socket: what was sent, and a buffer the test fills and empties by hand. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  send(data: string | Uint8Array): void {
    this.sent.push(typeof data === 'string' ? data : Buffer.from(data).toString());
  }
}

describe('Connection backpressure', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps no timer while the socket keeps up, pauses when it backs up and resumes when it drains', () => {
    const ws = new FakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, DEFAULT_LIMITS);
    const seen: boolean[] = [];
    conn.attach({ onMessage: () => {}, onClose: () => {}, onBackpressure: (b) => seen.push(b) });
    // 50 learners' sessions each with a timer always on woke the agent 1000 times a second.
    expect(vi.getTimerCount()).toBe(0);
    conn.forward('{"type":"printk","runId":"r","text":"hi"}');
    expect(ws.sent).toEqual(['{"seq":0,"type":"printk","runId":"r","text":"hi"}']);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([]);

    ws.bufferedAmount = DEFAULT_LIMITS.highWaterBytes + 1;
    conn.forward('{"type":"printk","runId":"r","text":"again"}');
    expect(seen).toEqual([true]);
    expect(vi.getTimerCount()).toBe(1);
    ws.bufferedAmount = DEFAULT_LIMITS.lowWaterBytes + 1;
    vi.advanceTimersByTime(500);
    expect(seen).toEqual([true]);
    ws.bufferedAmount = 0;
    vi.advanceTimersByTime(60);
    expect(seen).toEqual([true, false]);
    expect(vi.getTimerCount()).toBe(0);

    // Backed up again, then closed while backed up: the timer goes with the socket.
    ws.bufferedAmount = DEFAULT_LIMITS.highWaterBytes + 1;
    conn.forward(new TextEncoder().encode('{"type":"printk","runId":"r","text":"bytes"}'));
    expect(seen).toEqual([true, false, true]);
    ws.emit('close');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('splices seq into frames that come as bytes: small ones as one message, large ones as two fragments', () => {
    vi.useRealTimers();
    const ws = new FakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, DEFAULT_LIMITS);
    const small = '{"type":"printk","runId":"r","text":"héllo"}';
    conn.forward(new TextEncoder().encode(small));
    expect(ws.sent).toEqual(['{"seq":0,"type":"printk","runId":"r","text":"héllo"}']);
    const text = 'x'.repeat(100 * 1024);
    conn.forward(new TextEncoder().encode(`{"type":"printk","runId":"r","text":"${text}"}`));
    expect(ws.sent.slice(1)).toEqual(['{"seq":1,', `"type":"printk","runId":"r","text":"${text}"}`]);
    expect(JSON.parse(ws.sent.slice(1).join(''))).toMatchObject({ seq: 1, text });
  });
});
