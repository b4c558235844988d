import type { FromRun, RunSpec, ToRun } from './ipc.js';
import type { RunnerProcess, SlotEvents } from './process.js';

/**
 * One run's use of a runner process: its slot. A run on the agent side (run/target-run.ts) talks to
 * its runner only through this, so it does not need to know whether the process is its own
 * (`exclusive`: a network-namespace run, a guest, or --runs-per-runner 1) or shared with other runs.
 */
export class RunnerLease {
  private started = false;
  /** The run reported `done`: it closed its programs, links, maps and buffers. */
  private done = false;
  private released = false;

  constructor(
    readonly process: RunnerProcess,
    readonly slot: number,
    /** The process is this run's alone: it exits after the run, and may be killed once the run is over. */
    readonly exclusive: boolean,
    /** Called once, when the run lets go of its slot (the pool counts the process's runs). */
    private readonly onRelease: (lease: RunnerLease) => void = () => {},
  ) {}

  get exited(): boolean {
    return this.process.exited;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  on(events: Partial<SlotEvents>): void {
    this.process.ref();
    this.process.attach(this.slot, {
      message: (m: FromRun) => {
        if (m.t === 'done') this.done = true;
        events.message?.(m);
      },
      exit: (code, signal) => events.exit?.(code, signal),
    });
  }

  start(spec: RunSpec): boolean {
    this.started = true;
    return this.process.send({ t: 'start', slot: this.slot, spec, exitWhenDone: this.exclusive });
  }

  send(m: ToRun): boolean {
    return this.process.send({ ...m, slot: this.slot });
  }

  /** Ends the process, and with it every run it hosts (a runner that stopped answering). */
  kill(): void {
    this.process.kill();
  }

  /**
   * The run is over on the agent side. An exclusive process is killed after `graceMs` if it has not
   * exited by itself. A shared one stays for other runs — unless this run never said `done`, so
   * nobody knows what it still holds: then the process goes, and its other runs end as crashed.
   */
  release(graceMs: number): void {
    if (this.released) return;
    this.released = true;
    this.process.detach(this.slot);
    if (!this.process.exited) {
      if (this.exclusive && !this.started) this.process.kill();
      else if (this.exclusive) setTimeout(() => this.process.kill(), graceMs).unref();
      else if (this.started && !this.done) this.process.kill();
    }
    this.onRelease(this);
  }
}
