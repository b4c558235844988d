import { describe, expect, it } from 'vitest';
import { AgentConnection, type Clock, type SocketLike } from '../src/state/socket/agentConnection';
import type { ConnectionState } from '../src/state/socket/connectionState';
import { Inbox } from '../src/state/inbox';
import type { RowBatch } from '../src/state/rowBatch';
import { hello } from './fixtures';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(obj: unknown) {
    this.onmessage?.({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
  }
  drop(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const states: ConnectionState[] = [];
  const errors: string[] = [];
  const types: string[] = [];
  const rows: RowBatch[] = [];
  const clock: Clock = { now: () => 0, setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => {} };
  const conn = new AgentConnection(
    (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    clock,
    {
      onState: (s) => states.push(s),
      onMessage: (m) => types.push(m.type),
      onRows: (b) => rows.push(b),
      onProtocolError: (e) => errors.push(e),
    },
  );
  return { conn, sockets, timers, states, errors, types, rows };
}

describe('AgentConnection', () => {
  it('opens the agent URL with the token and becomes ready on hello', () => {
    const h = harness();
    h.conn.connect('ws://10.0.0.2:7100/ws', 'abc');
    expect(h.sockets[0]!.url).toBe('ws://10.0.0.2:7100/ws?token=abc');
    h.sockets[0]!.open();
    h.sockets[0]!.receive(hello);
    expect(h.conn.current.kind).toBe('ready');
    expect(h.types).toEqual(['hello']);
    expect(h.conn.send({ type: 'ping' })).toBe(true);
    expect(JSON.parse(h.sockets[0]!.sent[0]!)).toEqual({ type: 'ping' });
  });

  it('retries an unreachable agent after 100 ms, then 200 ms', () => {
    const h = harness();
    h.conn.connect('ws://127.0.0.1:7100/ws', 't');
    h.sockets[0]!.drop(1006);
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    h.timers[0]!.fn();
    expect(h.sockets).toHaveLength(2);
    h.sockets[1]!.drop(1006);
    expect(h.timers.map((t) => t.ms)).toEqual([100, 200]);
  });

  it('does not retry after 4401 (wrong token) or 4403 (origin)', () => {
    for (const code of [4401, 4403]) {
      const h = harness();
      h.conn.connect('ws://127.0.0.1:7100/ws', 'bad');
      h.sockets[0]!.open();
      h.sockets[0]!.drop(code, 'no');
      expect(h.conn.current).toMatchObject({ kind: 'refused', code });
      expect(h.timers).toHaveLength(0);
    }
  });

  it('reports frames it cannot parse and gaps in seq, and keeps going', () => {
    const h = harness();
    h.conn.connect('ws://127.0.0.1:7100/ws', 't');
    const s = h.sockets[0]!;
    s.open();
    s.receive(hello);
    s.receive('{not json');
    s.receive({ type: 'pong', seq: 1 });
    s.receive({ type: 'status', seq: 2, runId: 'r1', state: 'sideways', t: 0 });
    s.receive({ type: 'pong', seq: 5 });
    expect(h.types).toEqual(['hello', 'pong', 'pong']);
    expect(h.errors[0]).toMatch(/cannot read \(message is not JSON/);
    expect(h.errors[1]).toMatch(/bad "status" message: state/);
    expect(h.errors[2]).toBe('frames 2..4 from the agent are missing; output may be incomplete');
  });

  it('send fails visibly while not connected', () => {
    const h = harness();
    expect(h.conn.send({ type: 'ping' })).toBe(false);
  });

  it('a new connect abandons the old socket without reacting to its close', () => {
    const h = harness();
    h.conn.connect('ws://a:7100/ws', 't');
    h.conn.connect('ws://b:7100/ws', 't');
    h.sockets[0]!.onclose?.({ code: 1006, reason: '' });
    expect(h.timers).toHaveLength(0);
    expect(h.conn.current).toMatchObject({ kind: 'connecting', url: 'ws://b:7100/ws' });
  });
});

describe('AgentConnection and events', () => {
  const compact = (seq: number, pids: number[]) => ({
    type: 'events',
    seq,
    runId: 'r1',
    source: 'events',
    records: pids.map((pid) => ({ t: 5, value: { pid, comm: 'sh' } })),
    dropped: 0,
  });

  it('hands events on as rows, in order with the other messages, from a page socket', () => {
    const h = harness();
    h.conn.connect('ws://127.0.0.1:7100/ws', 't');
    const s = h.sockets[0]!;
    s.open();
    s.receive(hello);
    s.receive(compact(1, [1, 2]));
    s.receive({ type: 'pong', seq: 2 });
    expect(h.types).toEqual(['hello', 'pong']);
    expect(h.rows.map((b) => [b.count, b.columns])).toEqual([[2, ['pid', 'comm']]]);
  });

  it('takes what the socket worker delivers (already checked and batched) as it is', () => {
    const h = harness();
    h.conn.connect('ws://127.0.0.1:7100/ws', 't');
    const s = h.sockets[0]!;
    s.open();
    // What a worker's inbox hands over: one batch for two frames, then a message.
    const inbox = new Inbox();
    for (const f of [hello, compact(1, [1]), compact(2, [2, 3]), { type: 'pong', seq: 3 }])
      inbox.frame(JSON.stringify(f));
    s.onmessage?.({ data: inbox.take()!.output });
    expect(h.conn.current.kind).toBe('ready');
    expect(h.types).toEqual(['hello', 'pong']);
    expect(h.rows.map((b) => b.count)).toEqual([3]);
    expect(h.errors).toEqual([]);
  });
});
