/**
 * One timer for every run of a runner process. Each run looks at its rings on a period (1 ms right
 * after attach, its frame interval while busy, 50 ms when quiet) and snapshots its maps on another;
 * with a timer each, 8 runs in a process woke it 8 times per period at scattered moments, and a
 * wake-up costs tens of µs on this VM whatever it then does (bench figure 4: with 50 learners'
 * hello-worlds each seeing every exec of the others' compiles, the runners' polling was a large
 * part of their CPU). Here every period is aligned to multiples of itself on one clock, so runs
 * with the same period are served by the same wake-up, and the process has one timer pending.
 */

interface Entry {
  ms: number;
  fn: () => void;
  /** performance.now() of its next turn: a multiple of `ms`. */
  next: number;
}

/** Node's timers count whole milliseconds: an entry due within this much is served now. */
const SLACK_MS = 1;

const nextMultiple = (now: number, ms: number) => (Math.floor(now / ms) + 1) * ms;

export class Ticker {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Calls `fn` every `ms` (at multiples of `ms`) until the returned function is called. */
  every(ms: number, fn: () => void): () => void {
    const e: Entry = { ms, fn, next: nextMultiple(this.now(), ms) };
    this.entries.add(e);
    this.schedule();
    return () => {
      this.entries.delete(e);
      if (!this.entries.size) this.clear();
    };
  }

  /** Timers pending (0 or 1): what the tests look at. */
  get pending(): number {
    return this.timer ? 1 : 0;
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private schedule(): void {
    let min = Infinity;
    for (const e of this.entries) if (e.next < min) min = e.next;
    if (min === Infinity) return this.clear();
    if (this.timer && this.timerAt <= min) return;
    clearTimeout(this.timer);
    this.timerAt = min;
    this.timer = setTimeout(() => this.fire(), Math.max(0, min - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    try {
      for (const e of [...this.entries]) {
        // Cancelled by an earlier callback of this turn, or not due yet.
        if (!this.entries.has(e) || e.next > now + SLACK_MS) continue;
        // A late turn is not made up for: the next is the next multiple after now.
        e.next = nextMultiple(now, e.ms);
        e.fn();
      }
    } finally {
      this.schedule();
    }
  }
}

/** The runner process's ticker (runner/host-run.ts). */
export const runnerTicker = new Ticker();
