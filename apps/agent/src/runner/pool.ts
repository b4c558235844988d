import { RUNNER_SHARING } from '../limits.js';
import { RunnerLease } from './lease.js';
import { RunnerProcess, RUNNER_ENTRY } from './process.js';

/** Measured on the 2-core bench machine: load + attach + first event of hello-world take ~60 ms. */
const REFILL_DELAY_MS = 250;

interface Member {
  proc: RunnerProcess;
  /** Runs in it now. */
  active: number;
  /** Runs it has hosted so far; past RUNNER_SHARING.lifetimeRuns it takes no more. */
  hosted: number;
  nextSlot: number;
  retired: boolean;
  /** Started and listening (Node and the runner bundle loaded): a run given to it starts at once. */
  ready: boolean;
  linger?: NodeJS.Timeout;
}

/**
 * The runner processes of host runs. Each hosts up to `runsPerRunner` runs at once (figure 4 of the
 * bench: a Node process per run cost ~0.4 s of CPU and ~70 MiB to start, which with 50 learners
 * pressing Run together was most of the machine). A run still closes everything of its own when it
 * ends (runner/host-run.ts finish), and a process that crashes ends only the runs it hosts.
 *
 * Room for runs is kept started ahead (`warm` × half a process's runs), so a Run does not pay for
 * Node's startup on the critical path: the next process starts while the last one still has room.
 * A new run goes to the started process with the fewest runs that has room (loads on the two cores
 * in parallel rather than queued behind one event loop). With `runsPerRunner` 1 every run has a
 * process of its own that exits after it, as before sharing. Runs in a network namespace always get
 * their own process.
 */
export class RunnerPool {
  private readonly members: Member[] = [];
  private closed = false;
  /** Sessions open on the agent (setSessions): each may press Run at any moment. */
  private sessions = 0;
  private warmupObject?: Uint8Array;

  constructor(
    private readonly warm: number,
    private readonly runsPerRunner: number = RUNNER_SHARING.runsPerRunner,
    private readonly entry = RUNNER_ENTRY,
  ) {
    this.fill();
  }

  /** A small object every new runner loads once (runner/warm-up.ts), e.g. hello-world. */
  setWarmup(object: Uint8Array): void {
    this.warmupObject = object;
    for (const m of this.live())
      if (m.active === 0)
        void m.proc.ready.then(
          () => m.active === 0 && m.proc.send({ t: 'warm', object }),
          () => {},
        );
  }

  private get shared(): boolean {
    return this.runsPerRunner > 1;
  }

  private live(): Member[] {
    for (let i = this.members.length - 1; i >= 0; i--) if (this.members[i]!.proc.exited) this.members.splice(i, 1);
    return this.members;
  }

  private hasRoom(m: Member): boolean {
    return !m.retired && m.active < this.runsPerRunner;
  }

  private spawn(): Member {
    const proc = new RunnerProcess(this.entry, { nice: RUNNER_SHARING.nice });
    proc.unref();
    const m: Member = { proc, active: 0, hosted: 0, nextSlot: 0, retired: false, ready: false };
    void proc.ready.then(
      () => {
        m.ready = true;
        if (this.warmupObject && m.active === 0) proc.send({ t: 'warm', object: this.warmupObject });
      },
      () => {},
    );
    this.members.push(m);
    return m;
  }

  /**
   * Runs the pool keeps room for ahead of demand: `warm` × half a process, or — shared runners only —
   * one for every open session without a run (at most RUNNER_SHARING.roomForSessionsMax). Learners
   * join a workshop before they press Run: their runner processes start then, one at a time, instead
   * of all at once on the two cores the compiles of that first Run need (bench figure 4).
   */
  private get spareWanted(): number {
    const base = this.warm * Math.ceil(this.runsPerRunner / 2);
    // --warm 0: nothing started ahead, for sessions either (an operator saving memory).
    if (!this.shared || this.warm === 0) return base;
    const runs = this.live().reduce((n, m) => n + m.active, 0);
    return Math.max(base, Math.min(RUNNER_SHARING.roomForSessionsMax, this.sessions - runs));
  }

  /** The agent's open sessions changed: start room for them, or let idle processes beyond it go. */
  setSessions(n: number): void {
    this.sessions = n;
    this.fill();
    for (const m of [...this.live()]) {
      if (m.active > 0 || m.retired || !m.ready) continue;
      if (this.spare(m) >= this.spareWanted) {
        clearTimeout(m.linger);
        this.retire(m);
      }
    }
  }

  private spare(except?: Member): number {
    return this.live()
      .filter((m) => m !== except && !m.retired)
      .reduce((n, m) => n + Math.max(0, this.runsPerRunner - m.active), 0);
  }

  private fill(): void {
    if (this.closed) return;
    while (this.spare() < this.spareWanted) this.spawn();
  }

  async acquire(opts: { netns?: boolean } = {}): Promise<RunnerLease> {
    if (opts.netns) {
      // Namespaced runners are made to order: the warm ones live in the host's namespace.
      const own = new RunnerProcess(this.entry, { netns: true });
      await own.ready;
      return new RunnerLease(own, 0, true);
    }
    const m = this.pick();
    clearTimeout(m.linger);
    m.active++;
    m.hosted++;
    if (m.hosted >= RUNNER_SHARING.lifetimeRuns || !this.shared) m.retired = true;
    const slot = m.nextSlot++;
    m.proc.ref();
    // Refill a moment later: a Node process starting (~0.15 s of CPU) would compete with this run's
    // load and attach on a 2-core machine, right on the path to its first event.
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    try {
      await m.proc.ready;
    } catch (e) {
      m.active--;
      throw e;
    }
    if (!this.shared) {
      // Its own process: it exits after the run, the pool forgets it now.
      this.members.splice(this.members.indexOf(m), 1);
      return new RunnerLease(m.proc, slot, true);
    }
    return new RunnerLease(m.proc, slot, false, () => this.released(m));
  }

  /** The process with room that hosts the fewest runs, a started one first (the oldest of equals). */
  private pick(): Member {
    let best: Member | undefined;
    for (const m of this.live()) {
      if (!this.hasRoom(m)) continue;
      if (!best || (m.ready && !best.ready) || (m.ready === best.ready && m.active < best.active)) best = m;
    }
    return best ?? this.spawn();
  }

  private released(m: Member): void {
    m.active--;
    if (m.active > 0 || m.proc.exited) return;
    m.proc.unref();
    if (m.retired) return this.retire(m);
    // An empty process lingers for the next Run (learners run again and again), then goes unless it
    // is one of the `warm` with room.
    m.linger = setTimeout(() => {
      if (m.active === 0 && this.spare(m) >= this.spareWanted) this.retire(m);
    }, RUNNER_SHARING.idleLingerMs);
    m.linger.unref();
  }

  private retire(m: Member): void {
    const i = this.members.indexOf(m);
    if (i >= 0) this.members.splice(i, 1);
    m.proc.kill();
    this.fill();
  }

  /** Runner processes and the runs they host now (the agent's load report, the tests). */
  status(): { processes: number; runs: number } {
    const live = this.live();
    return { processes: live.length, runs: live.reduce((n, m) => n + m.active, 0) };
  }

  close(): void {
    this.closed = true;
    for (const m of this.members.splice(0)) {
      clearTimeout(m.linger);
      m.proc.kill();
    }
  }
}
