import { parseServerMessage, type ParseResult, type ServerMessage } from '@bpfplay/protocol';

export type FrameResult = ParseResult<ServerMessage>;
/** What the worker sends back: a verdict only. The page then JSON.parses the frame itself, which
 *  is several times cheaper than receiving the parsed object as a structured clone (measured with
 *  the profiler at ~77k records/s: the clone took ~25% of the page's thread, JSON.parse ~3%). */
export type FrameVerdict = { ok: true } | Extract<FrameResult, { ok: false }>;

/**
 * Turns raw frames into checked messages, in arrival order. Validating every record against the
 * protocol's zod schema costs ~6 µs per record (measured: 100k records in ~0.6 s on one core), so
 * at full event rate the browser validates in a worker and the page's thread only JSON.parses.
 */
export interface FrameParser {
  parse(raw: string, deliver: (r: FrameResult) => void): void;
  /** Frames handed over and not parsed yet: the browser falling behind the agent. */
  readonly backlog: number;
  dispose(): void;
}

export const inlineParser: FrameParser = {
  parse: (raw, deliver) => deliver(parseServerMessage(raw)),
  backlog: 0,
  dispose() {},
};

/** The part of `Worker` this uses, so tests can hand in a fake. */
export interface WorkerLike {
  postMessage(data: string): void;
  terminate(): void;
  onmessage: ((e: { data: FrameVerdict }) => void) | null;
  onerror: ((e: unknown) => void) | null;
}

/**
 * Parses in a worker. One worker handles messages one at a time in order, so the n-th result
 * belongs to the n-th frame posted. If the worker dies (failed to load, crashed), the frames still
 * queued are parsed inline and every later one too, and `onFallback` says why.
 */
export class WorkerParser implements FrameParser {
  private readonly queue: { raw: string; deliver: (r: FrameResult) => void }[] = [];
  private broken = false;

  constructor(
    private readonly worker: WorkerLike,
    private readonly onFallback: (why: string) => void,
  ) {
    worker.onmessage = (e) => {
      const q = this.queue.shift();
      if (!q) return;
      // Validated by the worker: the frame is a ServerMessage.
      q.deliver(e.data.ok ? { ok: true, message: JSON.parse(q.raw) as ServerMessage } : e.data);
    };
    worker.onerror = (e) => this.fallBack(`the parsing worker failed (${describe(e)}); parsing on the page instead`);
  }

  get backlog(): number {
    return this.queue.length;
  }

  parse(raw: string, deliver: (r: FrameResult) => void): void {
    if (this.broken) {
      deliver(parseServerMessage(raw));
      return;
    }
    this.queue.push({ raw, deliver });
    this.worker.postMessage(raw);
  }

  dispose(): void {
    this.worker.onmessage = null;
    this.worker.onerror = null;
    this.worker.terminate();
    this.queue.length = 0;
  }

  private fallBack(why: string): void {
    if (this.broken) return;
    this.broken = true;
    this.worker.onmessage = null;
    this.worker.terminate();
    this.onFallback(why);
    for (const q of this.queue.splice(0)) q.deliver(parseServerMessage(q.raw));
  }
}

function describe(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') return (e as { message: string }).message || 'no message';
  return 'no message';
}
