import { Inbox } from '../inbox';
import type { FromWorker, ToWorker } from './workerMessages';

/** The part of the browser's WebSocket the worker uses, so tests can hand in a fake. */
export interface RawSocket {
  /** Set to 'arraybuffer': binary events frames are read as bytes, synchronously (a Blob would need an await). */
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
}

/**
 * The socket worker's logic (socket.worker.ts only wires it to `self`): it owns the WebSocket to the
 * agent, so receiving, decoding and checking frames and formatting records happen off the page's
 * thread. The page gets at most one delivery in flight; frames arriving meanwhile merge in the
 * inbox, so a busy page receives one batch per frame it draws instead of a queue of frames.
 */
export class FrameReceiver {
  private current: { id: number; ws: RawSocket; inbox: Inbox; inFlight: boolean } | null = null;

  constructor(
    private readonly openSocket: (url: string) => RawSocket,
    private readonly post: (m: FromWorker, transfer: ArrayBuffer[]) => void,
  ) {}

  handle(m: ToWorker): void {
    const cur = this.current;
    switch (m.op) {
      case 'open':
        this.drop();
        return this.open(m.id, m.url);
      case 'send':
        if (cur?.id === m.id) cur.ws.send(m.data);
        return;
      case 'close':
        if (cur?.id !== m.id) return;
        this.current = null;
        cur.ws.onopen = cur.ws.onmessage = cur.ws.onclose = null;
        closeQuietly(cur.ws, m.code, m.reason);
        return;
      case 'ack':
        if (cur?.id !== m.id) return;
        cur.inFlight = false;
        this.flush(false);
    }
  }

  private open(id: number, url: string): void {
    let ws: RawSocket;
    try {
      ws = this.openSocket(url);
    } catch (e) {
      // `new WebSocket` throws on a malformed URL: the page treats it as unreachable.
      this.post({ op: 'close', id, code: 1006, reason: (e as Error).message }, []);
      return;
    }
    ws.binaryType = 'arraybuffer';
    const cur = { id, ws, inbox: new Inbox(), inFlight: false };
    this.current = cur;
    ws.onopen = () => this.post({ op: 'open', id }, []);
    ws.onmessage = (ev) => {
      if (this.current !== cur) return;
      cur.inbox.frame(ev.data);
      this.flush(false);
    };
    ws.onclose = (ev) => {
      if (this.current !== cur) return;
      // What arrived before the close is delivered first, even with a delivery in flight.
      this.flush(true);
      this.current = null;
      this.post({ op: 'close', id, code: ev.code, reason: ev.reason }, []);
    };
  }

  private flush(force: boolean): void {
    const cur = this.current;
    if (!cur || (cur.inFlight && !force)) return;
    const t = cur.inbox.take();
    if (!t) return;
    cur.inFlight = true;
    this.post({ op: 'deliver', id: cur.id, output: t.output }, t.transfer);
  }

  private drop(): void {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    cur.ws.onopen = cur.ws.onmessage = cur.ws.onclose = null;
    closeQuietly(cur.ws, 1000, 'client reconnecting');
  }
}

function closeQuietly(ws: RawSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    /* already closed */
  }
}
