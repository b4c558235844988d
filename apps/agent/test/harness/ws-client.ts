import { WebSocket } from 'ws';
import { parseBinaryEvents, parseServerMessage, type BinaryEventsFrame, type ServerMessage } from '@bpfplay/protocol';

export interface TestClient {
  ws: WebSocket;
  messages: ServerMessage[];
  /** Binary events frames (RunOptions.eventFormat 'binary'), checked with the protocol's parser. */
  binary: BinaryEventsFrame[];
  /** Resolves with the first message (already received or future) matching `pred`. */
  waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  send(obj: unknown): void;
  sendRaw(text: string): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** A WebSocket client that parses every frame against the protocol, as the web app does. */
export function connect(
  wsUrl: string,
  opts: {
    token?: string;
    origin?: string;
    /** Extra request headers (e.g. forwarding headers a relay would add). */
    headers?: Record<string, string>;
    /** The loopback address to connect from (127.0.0.2, ...): another client to the agent. */
    localAddress?: string;
  } = {},
): TestClient {
  const u = new URL(wsUrl);
  if (opts.token !== undefined) u.searchParams.set('token', opts.token);
  const ws = new WebSocket(u, {
    ...(opts.origin ? { origin: opts.origin } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const messages: ServerMessage[] = [];
  const binary: BinaryEventsFrame[] = [];
  const waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      const b = parseBinaryEvents(data);
      if (!b.ok) throw new Error(`agent sent a binary frame that does not parse: ${b.message}`);
      binary.push(b.frame);
      return;
    }
    const r = parseServerMessage(data.toString());
    if (!r.ok) throw new Error(`agent sent a frame that does not parse: ${r.message}`);
    messages.push(r.message);
    for (const w of [...waiters]) {
      if (w.pred(r.message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r.message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  const open = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  return {
    ws,
    messages,
    binary,
    closed,
    waitFor: ((pred: (m: ServerMessage) => boolean, timeoutMs = 60_000) => {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<ServerMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          const types = messages.map((m) => m.type).join(', ');
          reject(new Error(`no matching message within ${timeoutMs} ms; got: ${types}`));
        }, timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    }) as TestClient['waitFor'],
    send: (obj) => void open.then(() => ws.send(JSON.stringify(obj))),
    sendRaw: (text) => void open.then(() => ws.send(text)),
    close: () => ws.close(),
  };
}
