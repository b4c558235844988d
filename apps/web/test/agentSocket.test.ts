import { describe, expect, it } from 'vitest';
import { AgentConnection, type Clock, type SocketLike } from '../src/state/agentSocket';
import type { ConnectionState } from '../src/state/connection';
import { parseServerMessage } from '@bpfplay/protocol';
import type { FrameParser, FrameResult } from '../src/state/frameParser';
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

function harness(parser?: FrameParser) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const states: ConnectionState[] = [];
  const errors: string[] = [];
  const types: string[] = [];
  const clock: Clock = { now: () => 0, setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => {} };
  const conn = new AgentConnection(
    (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    clock,
    { onState: (s) => states.push(s), onMessage: (m) => types.push(m.type), onProtocolError: (e) => errors.push(e) },
    parser,
  );
  return { conn, sockets, timers, states, errors, types };
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

describe('AgentConnection with a parser that lags', () => {
  /** Holds frames until flushed, like a busy worker. */
  function slowParser() {
    const queue: [string, (r: FrameResult) => void][] = [];
    const p: FrameParser & { flush(): void } = {
      parse: (raw, deliver) => void queue.push([raw, deliver]),
      get backlog() {
        return queue.length;
      },
      dispose() {},
      flush: () => queue.splice(0).forEach(([raw, d]) => d(parseServerMessage(raw))),
    };
    return p;
  }

  it('warns once when the page falls far behind, and still delivers every frame in order', () => {
    const parser = slowParser();
    const h = harness(parser);
    h.conn.connect('ws://127.0.0.1:7100/ws', 't');
    h.sockets[0]!.open();
    h.sockets[0]!.receive(hello);
    for (let i = 1; i <= 700; i++) h.sockets[0]!.receive({ type: 'pong', seq: i });
    expect(h.errors).toEqual(['this page is 601 frames behind the agent; output lags. Lower the program\'s event rate or pause the Events pane.']);
    parser.flush();
    expect(h.types).toHaveLength(701);
    expect(h.errors).toHaveLength(1); // no seq gap: order was kept
  });

  it('drops frames parsed after the socket was replaced', () => {
    const parser = slowParser();
    const h = harness(parser);
    h.conn.connect('ws://a:7100/ws', 't');
    h.sockets[0]!.open();
    h.sockets[0]!.receive(hello);
    h.conn.connect('ws://b:7100/ws', 't');
    parser.flush();
    expect(h.types).toEqual([]);
  });
});
