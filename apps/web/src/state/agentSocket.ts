import type { ClientMessage, ServerMessage } from '@bpfplay/protocol';
import { inlineParser, type FrameParser, type FrameResult } from './frameParser';
import { connectionReducer, initialConnection, type ConnectionEvent, type ConnectionState } from './connection';
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
  onMessage(msg: ServerMessage): void;
  /** A frame that does not parse, or a gap in `seq`: shown in the Log pane, never thrown. */
  onProtocolError(text: string): void;
}

const OPEN = 1;
/** Frames waiting for the parser before we tell the user the page is falling behind (~10 s at 60/s). */
export const BACKLOG_WARNING = 600;

/**
 * One WebSocket to the agent, reconnecting with backoff. All decisions live in connectionReducer;
 * this class only opens sockets, parses frames and runs the retry timer.
 */
export class AgentConnection {
  private state: ConnectionState = initialConnection;
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private token: string | null = null;
  private opened = false;
  private lastSeq = -1;
  private warnedBacklog = false;

  constructor(
    private readonly openSocket: (url: string) => SocketLike,
    private readonly clock: Clock,
    private readonly hooks: AgentConnectionHooks,
    private readonly parser: FrameParser = inlineParser,
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
    this.lastSeq = -1;
    try {
      ws = this.openSocket(socketUrl(url, this.token));
    } catch (e) {
      // `new WebSocket` throws synchronously on a malformed URL: treat it as unreachable.
      this.hooks.onProtocolError(`cannot open ${url}: ${(e as Error).message}`);
      this.dispatch({ type: 'closed', close: { code: 1006, reason: (e as Error).message, neverOpened: true }, now: this.clock.now() });
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
      if (typeof ev.data !== 'string') {
        this.hooks.onProtocolError('agent sent a binary frame; this web app only reads JSON frames');
        return;
      }
      this.parser.parse(ev.data, (r) => {
        // Parsed after a reconnect: the frame belongs to a socket we no longer listen to.
        if (this.socket === ws) this.receive(r);
      });
      if (this.parser.backlog > BACKLOG_WARNING && !this.warnedBacklog) {
        this.warnedBacklog = true;
        this.hooks.onProtocolError(`this page is ${this.parser.backlog} frames behind the agent; output lags. Lower the program's event rate or pause the Events pane.`);
      }
    };
    ws.onerror = () => {
      /* always followed by close, which carries the code */
    };
    ws.onclose = (ev) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.dispatch({ type: 'closed', close: { code: ev.code, reason: ev.reason, neverOpened: !this.opened }, now: this.clock.now() });
    };
  }

  private receive(r: FrameResult): void {
    if (!r.ok) {
      this.hooks.onProtocolError(`agent sent a frame this web app cannot read (${r.message}); are the agent and web app the same version?`);
      return;
    }
    const msg = r.message;
    if (this.lastSeq >= 0 && msg.seq !== this.lastSeq + 1) {
      this.hooks.onProtocolError(`frames ${this.lastSeq + 1}..${msg.seq - 1} from the agent are missing; output may be incomplete`);
    }
    this.lastSeq = msg.seq;
    if (msg.type === 'hello') this.dispatch({ type: 'hello', hello: msg });
    this.hooks.onMessage(msg);
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
