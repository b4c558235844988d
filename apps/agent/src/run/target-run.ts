import type { RunState, ServerMessage, StopReason, TargetOutcome } from '@bpfplay/protocol';
import { binaryMessage } from '../stream/binary-frame.js';
import { RUN_TIMES } from '../limits.js';
import type { FromRun, RunSpec } from '../runner/ipc.js';
import type { RunnerLease } from '../runner/lease.js';

/** The fixed times of a run, with their reasons, in limits.ts. */
const { startupLimitS, stopMaxMs, sideInfoDelayMs } = RUN_TIMES;

export type RunStats = TargetOutcome['stats'];

/** What a target's runner reports to its run (run/controller.ts). */
export interface TargetSink {
  status(state: RunState, extra: { message?: string }): void;
  /** A runner frame (already JSON, `target` in it when the run names its targets). */
  forward(type: ServerMessage['type'], json: string | Uint8Array): void;
  forwardBinary(message: Uint8Array): void;
  /** First output, or a moment after running: side information may start. */
  output(): void;
  ended(outcome: TargetOutcome): void;
}

/**
 * One target of a run (the host, or one kernel of the matrix) on the agent side: its slot in a runner
 * process (runner/lease.ts), its time limits and its end. Exactly one `ended` per target, and only
 * after its runner process is gone or the run has reported that it released everything (for a guest:
 * the VM is gone).
 */
export class TargetRun {
  private runner?: RunnerLease;
  private timer?: NodeJS.Timeout;
  private killTimer?: NodeJS.Timeout;
  private stopAt?: number;
  private stopRequest?: { reason: StopReason; message: string };
  private ended = false;
  private paused = false;

  constructor(
    readonly target: string,
    private readonly sink: TargetSink,
    /** A guest target stops its VM within its own limit (guest/limits.ts): wait a little longer than that. */
    private readonly stopGraceMs: number = RUN_TIMES.stopGraceMs,
  ) {}

  /** Hand the run to its runner; the run time counts from attach, load and attach get their own limit. */
  start(runner: RunnerLease, spec: RunSpec, durationSec: number): void {
    this.runner = runner;
    if (this.stopRequest) return this.end(this.stopRequest.reason, this.stopRequest.message);
    runner.on({ message: (m) => this.onRunner(m, durationSec), exit: () => this.onRunnerExit() });
    runner.start(spec);
    if (this.paused) runner.send({ t: 'pause', paused: true });
    this.timer = setTimeout(
      () => this.stop('timeout', `load and attach did not finish within ${startupLimitS} s`),
      startupLimitS * 1000,
    );
  }

  private onRunner(m: FromRun, durationSec: number): void {
    if (this.killTimer && this.stopAt !== undefined && performance.now() - this.stopAt < stopMaxMs)
      this.killTimer.refresh();
    switch (m.t) {
      case 'frame':
        this.sink.forward(m.type, m.json);
        if (m.type === 'printk' || m.type === 'events') this.sink.output();
        break;
      case 'binary':
        this.sink.forwardBinary(
          m.wire ?? binaryMessage(typeof m.header === 'string' ? Buffer.from(m.header) : m.header, m.records),
        );
        this.sink.output();
        break;
      case 'state':
        this.sink.status(m.state, m.message ? { message: m.message } : {});
        if (m.state === 'running') {
          setTimeout(() => this.sink.output(), sideInfoDelayMs).unref();
          clearTimeout(this.timer);
          this.timer = setTimeout(
            () => this.stop('timeout', `run time limit reached (${durationSec} s)`),
            durationSec * 1000,
          );
        }
        break;
      case 'done':
        this.end(m.reason, m.message, m.stats);
        break;
      default:
        break;
    }
  }

  private onRunnerExit(): void {
    if (this.ended) return;
    const req = this.stopRequest;
    if (req) this.end(req.reason, req.message);
    else
      this.end(
        'runner-crash',
        this.runner?.exclusive === false
          ? 'the runner process ended unexpectedly, with every run it hosted; their programs were released by the kernel'
          : 'the runner process ended unexpectedly; its programs were released by the kernel',
      );
  }

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.runner?.send({ t: 'pause', paused });
  }

  setRateShare(share: number): void {
    this.runner?.send({ t: 'share', share });
  }

  stop(reason: StopReason, message: string): void {
    if (this.ended || this.stopRequest) return;
    this.stopRequest = { reason, message };
    if (!this.runner) return; // start() notices
    this.sink.status('stopping', {});
    if (!this.runner.send({ t: 'stop', reason, message })) this.runner.kill();
    this.stopAt = performance.now();
    // A runner silent this long after `stop` is stuck. A shared one's thread serves all its runs and
    // may be busy loading theirs (seconds each on a loaded machine): killing it ends them all
    // (reported as crashed), so it gets the longest wait; the kernel releases what they held.
    const grace = this.runner.exclusive ? this.stopGraceMs : Math.max(this.stopGraceMs, stopMaxMs);
    this.killTimer = setTimeout(() => this.runner?.kill(), grace);
  }

  /** Kill without ceremony (agent exit): the kernel releases everything with the process. */
  kill(reason: StopReason, message: string): void {
    this.stopRequest ??= { reason, message };
    this.runner?.kill();
    this.end(reason, message);
  }

  /** The target ends before it had a runner (refused by policy, nothing to run...). */
  end(reason: StopReason, message: string, stats: RunStats = { events: 0, printk: 0, dropped: 0 }): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    clearTimeout(this.killTimer);
    this.runner?.release(this.stopGraceMs);
    this.sink.ended({ target: this.target, reason, message, stats });
  }

  get done(): boolean {
    return this.ended;
  }
}
