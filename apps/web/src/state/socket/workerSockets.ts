import type { SocketLike } from './agentConnection';
import type { FromWorker, ToWorker } from './workerMessages';

/** The part of `Worker` this uses, so tests can hand in a fake. */
export interface WorkerLike {
  postMessage(m: ToWorker): void;
  terminate(): void;
  onmessage: ((e: { data: FromWorker }) => void) | null;
  onerror: ((e: unknown) => void) | null;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * Sockets whose WebSocket lives in the socket worker (socket.worker.ts). To AgentConnection each
 * looks like a WebSocket whose messages are already-checked deliveries (`InboxOutput`) instead of
 * raw frames. If the worker fails, the socket in use closes as if the network dropped it, and the
 * reconnect opens a WebSocket on the page (`fallback`), whose frames the page then reads itself.
 */
export class WorkerSockets {
  private nextId = 1;
  private readonly live = new Map<number, WorkerSocket>();
  private broken: string | null = null;

  constructor(
    private readonly worker: WorkerLike,
    private readonly fallback: (url: string) => SocketLike,
    private readonly onBroken: (why: string) => void,
  ) {
    worker.onmessage = (e) => this.live.get(e.data.id)?.receive(e.data);
    worker.onerror = (e) =>
      this.fail(`the socket worker failed (${describe(e)}); reading the agent's frames on the page instead`);
  }

  open(url: string): SocketLike {
    if (this.broken !== null) return this.fallback(url);
    const id = this.nextId++;
    const s = new WorkerSocket(
      id,
      (m) => this.worker.postMessage(m),
      () => this.live.delete(id),
    );
    this.live.set(id, s);
    this.worker.postMessage({ op: 'open', id, url });
    return s;
  }

  private fail(why: string): void {
    if (this.broken !== null) return;
    this.broken = why;
    this.worker.onmessage = null;
    this.worker.onerror = null;
    this.worker.terminate();
    this.onBroken(why);
    for (const s of [...this.live.values()]) s.receive({ op: 'close', id: 0, code: 1006, reason: why });
  }
}

class WorkerSocket implements SocketLike {
  readyState = CONNECTING;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(
    private readonly id: number,
    private readonly post: (m: ToWorker) => void,
    private readonly forget: () => void,
  ) {}

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('socket is not open');
    this.post({ op: 'send', id: this.id, data });
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.forget();
    this.post({ op: 'close', id: this.id, code, reason });
  }

  receive(m: FromWorker): void {
    if (this.readyState === CLOSED) return;
    switch (m.op) {
      case 'open':
        this.readyState = OPEN;
        this.onopen?.({});
        return;
      case 'deliver':
        this.onmessage?.({ data: m.output });
        // Applied (synchronously, by AgentConnection): the worker may send what piled up meanwhile.
        this.post({ op: 'ack', id: this.id });
        return;
      case 'close':
        this.readyState = CLOSED;
        this.forget();
        this.onclose?.({ code: m.code, reason: m.reason });
    }
  }
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string')
    return (e as { message: string }).message || 'no message';
  return 'no message';
}
