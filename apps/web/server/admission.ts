/**
 * The relay's line in front of one agent (issue 13 item 5): when the agent is full, a learner's
 * Run waits here with a position and an estimate instead of failing or hanging. The agent admits
 * `limits.maxConcurrentRuns` runs (from its hello) and answers `busy` beyond that; runs of other
 * clients (tabs on the plain page, the CLI) count too and are invisible to the relay, so a `busy`
 * answer puts the run back at the head of the line and a timer tries again.
 */
export interface Ticket {
  /** Unique per run: `<learner>/<runId>`. */
  key: string;
  /** Send the run to the agent now. */
  start(): void;
  /** Where the run stands in line (1 = next), and about how long until it starts. */
  waiting(position: number, estimateMs: number): void;
}

export interface LineClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export const ADMISSION = Object.freeze({
  /** A run's length before any has been seen: the default lesson check (3 s) plus compile and load. */
  initialRunMs: 5000,
  /** How much each finished run moves the average (an exponential moving average). */
  smoothing: 0.3,
  /** After `busy` from the agent (other clients' runs), try the head of the line again this often. */
  retryMs: 2000,
});

export class AdmissionLine {
  private readonly active = new Set<string>();
  private readonly waiting: Ticket[] = [];
  private capacity = Number.POSITIVE_INFINITY;
  private avgRunMs: number = ADMISSION.initialRunMs;
  private retry: unknown = null;

  constructor(private readonly clock: LineClock) {}

  /** The agent's `limits.maxConcurrentRuns`, from its hello. */
  setCapacity(n: number): void {
    this.capacity = Math.max(1, n);
    this.pump();
  }

  get running(): number {
    return this.active.size;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Start the run now if there is room and nobody is ahead; otherwise it waits its turn. */
  request(t: Ticket): void {
    if (this.waiting.length === 0 && this.active.size < this.capacity) {
      this.active.add(t.key);
      t.start();
      return;
    }
    this.waiting.push(t);
    this.tell();
  }

  /** The agent answered `busy`: back to the head of the line, tried again when a run ends or after a while. */
  busy(t: Ticket): void {
    this.active.delete(t.key);
    this.waiting.unshift(t);
    // The agent is full with fewer of our runs than its limit: others hold the rest.
    this.capacity = Math.max(1, Math.min(this.capacity, this.active.size));
    this.tell();
    if (this.retry === null)
      this.retry = this.clock.setTimeout(() => {
        this.retry = null;
        this.capacity = Number.POSITIVE_INFINITY;
        this.pump();
      }, ADMISSION.retryMs);
  }

  /** A run ended (its final `stopped`, or its session closed): its place goes to the next in line. */
  done(key: string, durationMs?: number): void {
    if (durationMs !== undefined && durationMs > 0) this.avgRunMs += ADMISSION.smoothing * (durationMs - this.avgRunMs);
    const wasActive = this.active.delete(key);
    const i = this.waiting.findIndex((t) => t.key === key);
    if (i >= 0) this.waiting.splice(i, 1);
    if (wasActive || i >= 0) this.pump();
  }

  has(key: string): boolean {
    return this.active.has(key) || this.waiting.some((t) => t.key === key);
  }

  isWaiting(key: string): boolean {
    return this.waiting.some((t) => t.key === key);
  }

  /**
   * About how long the n-th in line waits: runs end at about `running / avgRun` per ms, so the
   * n-th place frees after n of them. Rounded up to whole seconds by whoever shows it.
   */
  estimateMs(position: number): number {
    const slots = Math.max(1, Math.min(this.active.size, this.capacity));
    return Math.ceil(position / slots) * this.avgRunMs;
  }

  private pump(): void {
    let moved = false;
    while (this.waiting.length && this.active.size < this.capacity) {
      const t = this.waiting.shift()!;
      this.active.add(t.key);
      t.start();
      moved = true;
    }
    if (moved) this.tell();
  }

  private tell(): void {
    this.waiting.forEach((t, i) => t.waiting(i + 1, this.estimateMs(i + 1)));
  }
}
