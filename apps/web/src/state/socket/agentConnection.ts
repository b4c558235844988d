import type { ClientMessage, ServerMessage } from '@bpfplay/protocol';
import { Inbox, type Delivery, type InboxOutput } from '../inbox';
import type { RowBatch } from '../rowBatch';
import { connectionReducer, initialConnection, type ConnectionEvent, type ConnectionState } from './connectionState';
import { socketUrl } from './agentUrl';

/** The part of the browser's WebSocket this module uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AgentConnectionHooks {
  onState(state: ConnectionState): void;
  /** Every checked message except `events`, in order. */
  onMessage(msg: ServerMessage): void;
  /** The records of `events` frames, as rows (in order with the messages). */
  onRows(batch: RowBatch): void;
  /** A frame that does not parse, or a gap in `seq`: shown in the Log pane, never thrown. */
  onProtocolError(text: string): void;
}

const OPEN = 1;

/**
 * One WebSocket to the agent, reconnecting with backoff. All decisions live in connectionReducer;
 * this class only opens sockets, hands on what arrives and runs the retry timer. A socket is either
 * the socket worker's (workerSockets.ts: its messages are `InboxOutput`, checked and batched off the
 * page's thread) or a plain WebSocket, whose raw frames go through an Inbox here.
 */
export class AgentConnection {
  private state: ConnectionState = initialConnection;
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private token: string | null = null;
  private opened = false;
  private inbox = new Inbox();

  constructor(
    private readonly openSocket: (url: string) => SocketLike,
    private readonly clock: Clock,
    private readonly hooks: AgentConnectionHooks,
  ) {}

  get current(): ConnectionState {
    return this.state;
  }

  connect(agentUrl: string, token: string | null): void {
    this.teardown();
    this.token = token;
    this.dispatch({ type: 'connect', url: agentUrl });
  }

  disconnect(): void {
    this.teardown();
    this.dispatch({ type: 'disconnect' });
  }

  /** False when there is no open socket: the caller tells the user instead of queueing silently. */
  send(msg: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  private dispatch(ev: ConnectionEvent): void {
    const before = this.state;
    this.state = connectionReducer(this.state, ev);
    if (this.state === before) return;
    if (this.state.kind === 'connecting') this.open(this.state.url);
    if (this.state.kind === 'retrying') {
      const delay = this.state.delayMs;
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.dispatch({ type: 'retry-due' });
      }, delay);
    }
    this.hooks.onState(this.state);
  }

  private open(url: string): void {
    let ws: SocketLike;
    this.opened = false;
    this.inbox = new Inbox();
    try {
      ws = this.openSocket(socketUrl(url, this.token));
    } catch (e) {
      // `new WebSocket` throws synchronously on a malformed URL: treat it as unreachable.
      this.hooks.onProtocolError(`cannot open ${url}: ${(e as Error).message}`);
      this.dispatch({
        type: 'closed',
        close: { code: 1006, reason: (e as Error).message, neverOpened: true },
        now: this.clock.now(),
      });
      return;
    }
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.opened = true;
      this.dispatch({ type: 'opened' });
    };
    ws.onmessage = (ev) => {
      if (this.socket !== ws) return;
      let items: Delivery[];
      if (isInboxOutput(ev.data)) items = ev.data.items;
      else {
        this.inbox.frame(ev.data);
        items = this.inbox.take()?.output.items ?? [];
      }
      // A message can end this socket (a reconnect from a handler): stop at that point.
      for (const d of items) if (this.socket === ws) this.deliver(d);
    };
    ws.onerror = () => {
      /* always followed by close, which carries the code */
    };
    ws.onclose = (ev) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.dispatch({
        type: 'closed',
        close: { code: ev.code, reason: ev.reason, neverOpened: !this.opened, tokenSent: !!this.token },
        now: this.clock.now(),
      });
    };
  }

  private deliver(d: Delivery): void {
    switch (d.kind) {
      case 'problem':
        return this.hooks.onProtocolError(d.text);
      case 'rows':
        return this.hooks.onRows(d.batch);
      case 'message':
        if (d.message.type === 'hello') this.dispatch({ type: 'hello', hello: d.message });
        this.hooks.onMessage(d.message);
    }
  }

  private teardown(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const ws = this.socket;
    this.socket = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close(1000, 'client reconnecting');
      } catch {
        /* already closed */
      }
    }
  }
}

function isInboxOutput(data: unknown): data is InboxOutput {
  return typeof data === 'object' && data !== null && Array.isArray((data as { items?: unknown }).items);
}
