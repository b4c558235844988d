import { abortError } from './sandbox.js';

/** Too many compiles waiting: the caller should say "busy, try again", not show a compile error. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

interface Waiter {
  start: () => void;
  onQueued?: (position: number) => void;
  /** Background work (disassembly): waits behind every compile, whenever it arrived. */
  background: boolean;
}

/**
 * At most `concurrency` compiles at once (clang is single-threaded; this machine has 2 cores),
 * the rest wait in order. A waiter hears its position (1 = next) when it joins and every time it
 * moves up, and 0 when it starts; cancelling a waiting compile removes it without running it.
 * Background tasks (disassembly for a run already under way) yield to compiles: measured with 50
 * sessions pressing Run at once, disassemblies interleaved with compiles put the last compile
 * seconds later, for output nobody waits on.
 */
export class CompileQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(
    task: () => Promise<T>,
    opts: { signal?: AbortSignal; onQueued?: (position: number) => void; background?: boolean } = {},
  ): Promise<T> {
    const { signal, onQueued } = opts;
    const background = opts.background ?? false;
    if (signal?.aborted) throw abortError(signal);
    if (this.active >= this.concurrency || this.waiting.length > 0) {
      // Compiles and background tasks each have maxQueued places: one kind never crowds out the other.
      if (this.waiting.filter((w) => w.background === background).length >= this.maxQueued) {
        throw new QueueFullError(`compile queue is full (${this.maxQueued} waiting); try again in a few seconds`);
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          ...(onQueued ? { onQueued } : {}),
          background,
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          this.announce(i);
          reject(abortError(signal!));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const firstBackground = this.waiting.findIndex((w) => w.background);
        const at = background || firstBackground < 0 ? this.waiting.length : firstBackground;
        this.waiting.splice(at, 0, waiter);
        onQueued?.(at + 1);
        if (!background) this.announce(at + 1);
      });
      // next() has already counted our slot.
      onQueued?.(0);
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      this.active--;
      this.next();
    }
  }

  private next(): void {
    if (this.active >= this.concurrency) return;
    const w = this.waiting.shift();
    if (!w) return;
    // Count the slot now, before the waiter's continuation runs, so no newcomer can take it.
    this.active++;
    w.start();
    this.announce(0);
  }

  /** Tells every waiter from index `from` on its new position. */
  private announce(from: number): void {
    for (let i = Math.max(0, from); i < this.waiting.length; i++) this.waiting[i]!.onQueued?.(i + 1);
  }
}
