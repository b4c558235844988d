import { describe, expect, it } from 'vitest';
import { encodeBinaryEvents, type ServerMessage } from '@bpfplay/protocol';
import { FrameReceiver, type RawSocket } from '../src/state/socket/frameReceiver';
import { WorkerSockets, type WorkerLike } from '../src/state/socket/workerSockets';
import type { FromWorker, ToWorker } from '../src/state/socket/workerMessages';
import type { SocketLike } from '../src/state/socket/agentConnection';
import type { InboxOutput } from '../src/state/inbox';
import { hello } from './fixtures';

class FakeWs implements RawSocket {
  sent: string[] = [];
  binaryType = 'blob';
  closed: { code?: number; reason?: string } | null = null;
  onopen: RawSocket['onopen'] = null;
  onmessage: RawSocket['onmessage'] = null;
  onclose: RawSocket['onclose'] = null;
  constructor(readonly url: string) {}
  send(d: string) {
    this.sent.push(d);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
  }
  frame(m: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}

/**
 * The page side and the worker side joined by queues, as postMessage would: nothing crosses until
 * `pump()`, so a test can hold the page "busy" while frames arrive in the worker.
 */
function wired() {
  const sockets: FakeWs[] = [];
  const toWorker: ToWorker[] = [];
  const toPage: FromWorker[] = [];
  const worker = new FrameReceiver(
    (url) => {
      const s = new FakeWs(url);
      sockets.push(s);
      return s;
    },
    (m) => toPage.push(m),
  );
  const page: WorkerLike = {
    postMessage: (m) => void toWorker.push(m),
    terminate: () => {},
    onmessage: null,
    onerror: null,
  };
  const notes: string[] = [];
  const fallbacks: string[] = [];
  const hub = new WorkerSockets(
    page,
    (url) => (fallbacks.push(url), { readyState: 0 } as unknown as SocketLike),
    (why) => notes.push(why),
  );
  const pump = () => {
    while (toWorker.length || toPage.length) {
      for (const m of toWorker.splice(0)) worker.handle(m);
      for (const m of toPage.splice(0)) page.onmessage?.({ data: m });
    }
  };
  return { sockets, toWorker, toPage, hub, page, pump, notes, fallbacks };
}

const compact = (seq: number, n: number): ServerMessage => ({
  type: 'events',
  seq,
  runId: 'r',
  source: 'events',
  records: Array.from({ length: n }, (_, i) => ({ t: seq, value: { pid: i } })),
  dropped: 0,
});

function listen(s: SocketLike) {
  const got: InboxOutput[] = [];
  const events: string[] = [];
  s.onopen = () => events.push('open');
  s.onmessage = (e) => got.push(e.data as InboxOutput);
  s.onclose = (e) => events.push(`close ${e.code}`);
  return { got, events };
}

/** A socket through the worker, open, whose hello has arrived (its delivery not pumped to the page yet). */
function openedWithHello() {
  const w = wired();
  const l = listen(w.hub.open('ws://x/ws'));
  w.pump();
  const ws = w.sockets[0]!;
  ws.onopen?.();
  ws.frame(hello);
  return { w, l, ws };
}

describe('the socket worker and the page', () => {
  it('opens the agent socket in the worker and sends through it', () => {
    const w = wired();
    const s = w.hub.open('ws://x/ws?token=t');
    const l = listen(s);
    w.pump();
    expect(w.sockets.map((x) => x.url)).toEqual(['ws://x/ws?token=t']);
    w.sockets[0]!.onopen?.();
    w.pump();
    expect(l.events).toEqual(['open']);
    s.send('{"type":"ping"}');
    w.pump();
    expect(w.sockets[0]!.sent).toEqual(['{"type":"ping"}']);
  });

  it('keeps one delivery in flight: frames arriving while the page is busy come as one batch', () => {
    const { w, l, ws } = openedWithHello();
    // The hello delivery is in flight (not pumped yet): these wait in the worker and merge.
    for (let i = 1; i <= 50; i++) ws.frame(compact(i, 10));
    w.pump();
    expect(l.got.map((o) => o.items.map((d) => (d.kind === 'rows' ? `rows ${d.batch.count}` : d.kind)))).toEqual([
      ['message'],
      ['rows 500'],
    ]);
  });

  it('reads binary events frames as ArrayBuffers and hands the page their rows', () => {
    const w = wired();
    const l = listen(w.hub.open('ws://x/ws'));
    w.pump();
    const ws = w.sockets[0]!;
    // Set before any message can arrive: a Blob could not be read synchronously.
    expect(ws.binaryType).toBe('arraybuffer');
    ws.onopen?.();
    ws.frame(hello);
    ws.frame({
      type: 'schema',
      seq: 1,
      runId: 'r',
      source: 'events',
      fields: [{ name: 'pid', type: 'u32' }],
      layout: {
        typeName: 'struct e',
        size: 4,
        root: { k: 'struct', off: 0, fields: [{ name: 'pid', node: { k: 'int', off: 0, size: 4, signed: false } }] },
      },
    });
    ws.onmessage?.({
      data: encodeBinaryEvents({ type: 'events', seq: 2, runId: 'r', source: 'events', dropped: 0, t: 1 }, [
        Uint8Array.of(7, 0, 0, 0),
        Uint8Array.of(0, 1, 0, 0),
      ]).slice().buffer,
    });
    w.pump();
    const rows = l.got.flatMap((o) => o.items).flatMap((d) => (d.kind === 'rows' ? [d.batch] : []));
    expect(rows.map((b) => [b.columns, b.count, b.text])).toEqual([[['pid'], 2, '7\u0000256\u0000']]);
  });

  it('delivers what arrived before the agent closed the socket, then the close', () => {
    const { w, l, ws } = openedWithHello();
    ws.frame(compact(1, 3));
    ws.onclose?.({ code: 1011, reason: 'bye' });
    w.pump();
    expect(l.got.flatMap((o) => o.items.map((d) => d.kind))).toEqual(['message', 'rows']);
    expect(l.events).toEqual(['open', 'close 1011']);
  });

  it('a reconnect closes the old socket in the worker and ignores what it still sends', () => {
    const w = wired();
    const a = w.hub.open('ws://a/ws');
    const la = listen(a);
    w.pump();
    a.close(1000, 'client reconnecting');
    const lb = listen(w.hub.open('ws://b/ws'));
    w.pump();
    expect(w.sockets[0]!.closed).toEqual({ code: 1000, reason: 'client reconnecting' });
    w.sockets[0]!.frame(hello);
    w.sockets[1]!.onopen?.();
    w.pump();
    expect(la.got).toEqual([]);
    expect(lb.events).toEqual(['open']);
  });

  it('when the worker fails, the open socket closes like a dropped network and the next one is opened on the page', () => {
    const w = wired();
    const l = listen(w.hub.open('ws://a/ws'));
    w.page.onerror?.({ message: 'SyntaxError in worker script' });
    expect(l.events).toEqual(['close 1006']);
    expect(w.notes).toEqual([
      "the socket worker failed (SyntaxError in worker script); reading the agent's frames on the page instead",
    ]);
    w.hub.open('ws://a/ws');
    expect(w.fallbacks).toEqual(['ws://a/ws']);
  });
});
