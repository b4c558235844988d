import { WebSocket } from 'ws';
import {
  parseBinaryEvents,
  parseServerMessage,
  type BinaryEventsFrame,
  type RunOptions,
  type ServerMessage,
  type ServerMessageOf,
  type Snippet,
} from '@bpfplay/protocol';

export type Frame = ServerMessage;
export type FrameListener = (m: Frame, receivedAt: number) => void;
/** Binary events frames (RunOptions.eventFormat 'binary'), split by the protocol's parser. */
export type BinaryListener = (f: BinaryEventsFrame, receivedAt: number) => void;

/**
 * A WebSocket client for the bench. Every frame is JSON-parsed, as any client must; with `validate`
 * it is also checked against the protocol's zod schemas like the web app does. The throughput figure
 * turns validation off: zod on a million records a second measures zod, not the agent.
 */
export class BenchClient {
  private readonly runs = new Map<string, FrameListener>();
  private readonly binaryRuns = new Map<string, BinaryListener>();
  /** Listeners for frames that belong to no run (lsp-*, checked). */
  private readonly others = new Set<FrameListener>();
  private constructor(
    readonly ws: WebSocket,
    private readonly validate: boolean,
  ) {
    ws.on('message', (data: Buffer, isBinary) => {
      const at = performance.now();
      if (isBinary) {
        // Always through the protocol's parser (header checked with zod, every record length checked).
        const r = parseBinaryEvents(data);
        if (!r.ok) throw new Error(r.message);
        this.binaryRuns.get(r.frame.header.runId)?.(r.frame, at);
        return;
      }
      const text = data.toString();
      let m: Frame;
      if (this.validate) {
        const r = parseServerMessage(text);
        if (!r.ok) throw new Error(`the agent sent a frame that does not parse: ${r.message}`);
        m = r.message;
      } else m = JSON.parse(text) as Frame;
      const runId = (m as { runId?: string }).runId;
      if (runId !== undefined) this.runs.get(runId)?.(m, at);
      else for (const l of this.others) l(m, at);
    });
  }

  /**
   * Open a session and wait for its `hello`. `clientId` is sent as X-Bpfplay-Client, which the agent
   * honours only from a proxy it trusts (`--trust-proxy`): the bench plays a relay in front of many
   * learners, each its own client for the agent's per-client session cap. Rejects — never hangs —
   * when the socket errors or closes first (the agent refuses a session by closing it with a reason).
   */
  static open(
    wsUrl: string,
    token: string,
    opts: { validate?: boolean; clientId?: string; timeoutMs?: number } = {},
  ): Promise<BenchClient> {
    const u = new URL(wsUrl);
    u.searchParams.set('token', token);
    const ws = new WebSocket(u, {
      perMessageDeflate: false,
      ...(opts.clientId ? { headers: { 'X-Bpfplay-Client': opts.clientId } } : {}),
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        fail(new Error(`no hello within ${opts.timeoutMs ?? 60_000} ms`));
      }, opts.timeoutMs ?? 60_000);
      const fail = (e: Error) => {
        clearTimeout(timer);
        ws.off('close', onClose);
        reject(e);
      };
      const onClose = (code: number, reason: Buffer) =>
        fail(new Error(`the agent closed the session before hello (${code}: ${reason.toString() || 'no reason'})`));
      ws.once('error', fail);
      ws.once('close', onClose);
      ws.once('message', (data) => {
        clearTimeout(timer);
        ws.off('close', onClose);
        const m = JSON.parse(data.toString()) as Frame;
        if (m.type !== 'hello') return reject(new Error(`expected hello, got ${m.type}`));
        resolve(new BenchClient(ws, opts.validate ?? true));
      });
    });
  }

  /**
   * Start a run; `onFrame` sees each of its frames with the time it arrived. Resolves with the
   * `stopped` frame. `sentAt` is taken right before the run message is written to the socket.
   */
  run(
    runId: string,
    snippet: Snippet,
    options: RunOptions,
    onFrame: FrameListener = () => {},
    onBinary?: BinaryListener,
  ): { sentAt: number; stopped: Promise<ServerMessageOf<'stopped'>> } {
    if (onBinary) this.binaryRuns.set(runId, onBinary);
    const stopped = new Promise<ServerMessageOf<'stopped'>>((resolve) => {
      this.runs.set(runId, (m, at) => {
        onFrame(m, at);
        if (m.type === 'stopped') {
          this.runs.delete(runId);
          this.binaryRuns.delete(runId);
          resolve(m);
        }
      });
    });
    const sentAt = performance.now();
    this.ws.send(JSON.stringify({ type: 'run', runId, snippet, options }));
    return { sentAt, stopped };
  }

  /**
   * Press a lesson's Check (`lesson-check`): resolves with the `verdict`, which the agent sends after
   * the check's run has stopped. `sentAt` is taken right before the message is written.
   */
  check(
    runId: string,
    lesson: string,
    snippet: Snippet,
  ): { sentAt: number; verdict: Promise<{ m: ServerMessageOf<'verdict'>; at: number }> } {
    const verdict = new Promise<{ m: ServerMessageOf<'verdict'>; at: number }>((resolve) => {
      this.runs.set(runId, (m, at) => {
        if (m.type !== 'verdict') return;
        this.runs.delete(runId);
        resolve({ m, at });
      });
    });
    const sentAt = performance.now();
    this.ws.send(JSON.stringify({ type: 'lesson-check', runId, lesson, snippet }));
    return { sentAt, verdict };
  }

  /** Sends any client message; the bench's editor figures speak the LSP channel with it. */
  send(msg: object): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** The first frame (not of a run) for which `pred` holds, with the time it arrived. */
  next<T extends Frame>(pred: (m: Frame) => m is T, timeoutMs = 120_000): Promise<{ m: T; at: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.others.delete(l);
        reject(new Error(`no expected frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const l: FrameListener = (m, at) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.others.delete(l);
        resolve({ m, at });
      };
      this.others.add(l);
    });
  }

  stop(runId: string): void {
    this.ws.send(JSON.stringify({ type: 'stop', runId }));
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolves with the first frame for which `pred` holds, fed by the caller's frame listener. */
export function frameWaiter<T extends Frame>(
  pred: (m: Frame) => m is T,
): { feed: FrameListener; promise: Promise<{ m: T; at: number }> } {
  let resolve!: (v: { m: T; at: number }) => void;
  let done = false;
  const promise = new Promise<{ m: T; at: number }>((r) => (resolve = r));
  return {
    feed: (m, at) => {
      if (!done && pred(m)) {
        done = true;
        resolve({ m, at });
      }
    },
    promise,
  };
}
