import type { RunMessage, RunState, ServerMessage, ServerPayload, StopReason } from '@bpfplay/protocol';
import { mainFileOf, RUN_DEFAULTS } from '@bpfplay/protocol';
import type { AgentContext } from '../agent-context.js';
import { RunTrail } from '../audit/run-trail.js';
import { binaryMessage } from '../stream/binary-frame.js';
import { QueueFullError } from '../compile/queue.js';
import type { FromRunner, PlantedPackets } from '../runner/ipc.js';
import type { RunnerProcess } from '../runner/process.js';
import { prepareObject } from './prepare.js';
import { knobValues } from '../load/map-sizes.js';

import { RUN_TIMES } from '../limits.js';

/** The fixed times of a run, with their reasons, in limits.ts. */
const { startupLimitS, stopGraceMs, stopMaxMs, sideInfoDelayMs, sideInfoMaxWaitMs } = RUN_TIMES;

export interface RunSink {
  send(payload: ServerPayload): void;
  /** Forward a runner frame (already JSON: text, or UTF-8 bytes). */
  forward(type: ServerMessage['type'], json: string | Uint8Array): void;
  /** Forward a runner's binary events message (stream/binary-frame.ts: `seq` still to be stamped). */
  forwardBinary(message: Uint8Array): void;
  ended(run: RunController): void;
}

/**
 * One run on the agent side: compile → check → (runner) load → attach → stream → stopped. Whatever
 * happens, exactly one `stopped` frame is sent, and only after the runner process is gone or has
 * reported that it released the kernel objects.
 */
export class RunController {
  readonly runId: string;
  private readonly t0 = performance.now();
  private readonly abort = new AbortController();
  private runner?: RunnerProcess;
  private timer?: NodeJS.Timeout;
  private killTimer?: NodeJS.Timeout;
  private stopAt?: number;
  private stopRequest?: { reason: StopReason; message: string };
  private stoppedSent = false;
  private paused = false;
  private sideInfo: Promise<void> = Promise.resolve();
  /**
   * Disassembly and the CO-RE report wait for this: released with the run's first output, a moment
   * after it is running, or when it is over. Spawning llvm-objdump forks the agent (tens of ms here)
   * and the sandbox competes for the machine's two cores: not on the path to the first event.
   */
  private releaseSideInfo!: () => void;
  private readonly sideInfoGate = new Promise<void>((r) => (this.releaseSideInfo = r));
  /** This run's share of its session's output budget (1 / the session's active runs). */
  private rateShare = 1;
  private readonly trail: RunTrail;

  constructor(
    private readonly ctx: AgentContext,
    private readonly msg: RunMessage,
    private readonly sink: RunSink,
    private readonly sessionId: string,
    tokenId = '',
    /** Set by a lesson check (lesson/check-run.ts), never by a client. */
    private readonly planted: { packets?: PlantedPackets } = {},
  ) {
    this.runId = msg.runId;
    this.trail = new RunTrail({ tokenId, sessionId, runId: msg.runId }, msg.snippet);
  }

  private elapsed(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  private lastState?: RunState;

  private status(state: RunState, extra: { message?: string; queuePosition?: number } = {}): void {
    // The agent and the runner may both announce "stopping"; say it once.
    if (state === this.lastState && state !== 'queued') return;
    this.lastState = state;
    this.sink.send({ type: 'status', runId: this.runId, state, t: this.elapsed(), ...extra });
  }

  async start(): Promise<void> {
    try {
      await this.pipeline();
    } catch (e) {
      if (this.stopRequest) this.finish(this.stopRequest.reason, this.stopRequest.message);
      else if (e instanceof QueueFullError)
        this.finish('quota', `${e.message}: the agent is compiling for many users at once`);
      else this.finish('error', `agent error: ${(e as Error).message}`);
    }
  }

  private async pipeline(): Promise<void> {
    const { snippet } = this.msg;
    const options = this.msg.options ?? {};
    this.status('compiling');
    const compiled = await this.ctx.compiler.compile(snippet, {
      signal: this.abort.signal,
      onQueued: (position) => {
        this.trail.queued(position);
        // Position 0 means "your compile starts now".
        if (position === 0) this.status('compiling', { message: 'compile slot free: compiling' });
        else
          this.status('queued', {
            queuePosition: position,
            message: `waiting for a compile slot: position ${position} in the queue`,
          });
      },
    });
    this.trail.compiled(compiled);
    let req = this.pendingStop();
    if (req) return this.finish(req.reason, req.message);
    this.sink.send({
      type: 'compiled',
      runId: this.runId,
      ok: compiled.ok,
      diagnostics: compiled.diagnostics,
      durationMs: compiled.durationMs,
      cache: compiled.cache,
      output: compiled.output,
      ...(compiled.objectHash ? { objectHash: compiled.objectHash } : {}),
      ...(compiled.object ? { objectBytes: compiled.object.length } : {}),
    });
    if (!compiled.ok || !compiled.object) {
      const first = compiled.diagnostics.find((d) => d.severity === 'error' || d.severity === 'fatal');
      const where = first
        ? `${first.file}:${first.line}:${first.col}: ${first.message}`
        : compiled.output.trim().split('\n')[0];
      return this.finish('compile-error', `compile failed: ${where ?? 'clang failed'}`);
    }
    this.status('compiled', {
      message: `${compiled.cache === 'hit' ? 'cached' : 'compiled'} in ${Math.round(compiled.durationMs)} ms`,
    });

    const prepared = await prepareObject(
      {
        ctx: this.ctx,
        runId: this.runId,
        sessionId: this.sessionId,
        snippet,
        options,
        send: (p) => this.sink.send(p),
        startAfter: this.sideInfoGate,
      },
      compiled.object,
    );
    this.sideInfo = prepared.sideInfo;
    if (prepared.refused) return this.finish('refused', prepared.refused);
    if (prepared.quota) return this.finish('quota', prepared.quota);
    if (prepared.nothingToRun) return this.finish('attach-error', prepared.nothingToRun);
    if (options.mode === 'compile') return this.finish('finished', 'compile-only run: checked, not loaded');

    const runner = await this.ctx.pool.acquire({ netns: prepared.network === true });
    this.runner = runner;
    req = this.pendingStop();
    if (req) {
      runner.kill();
      return this.finish(req.reason, req.message);
    }
    runner.on({ message: (m) => this.onRunner(m), exit: () => this.onRunnerExit() });
    const limits = this.ctx.config.limits;
    const durationSec = Math.min(options.durationSec ?? limits.defaultRunSeconds, limits.maxRunSeconds);
    if (options.durationSec !== undefined && options.durationSec > limits.maxRunSeconds) {
      this.sink.send({
        type: 'warning',
        runId: this.runId,
        message: `run time capped at ${limits.maxRunSeconds} s (the agent's limit); asked for ${options.durationSec} s`,
      });
    }
    runner.send({
      t: 'start',
      spec: {
        runId: this.runId,
        object: compiled.object,
        objectName: (mainFileOf(snippet.files, snippet.main) ?? 'snippet').replace(/\.bpf\.c$|\.c$/, ''),
        skip: prepared.skip,
        probes: prepared.probes,
        ...(prepared.fallbacks ? { fallbacks: prepared.fallbacks } : {}),
        ...(prepared.mapSizes ? { mapSizes: prepared.mapSizes } : {}),
        params: knobValues(options.params ?? {}),
        perfFrequency: options.perfFrequency ?? RUN_DEFAULTS.perfFrequency,
        mapIntervalMs: options.mapIntervalMs ?? RUN_DEFAULTS.mapIntervalMs,
        maxEventsPerSec: limits.maxEventsPerSec,
        maxPrintkPerSec: limits.maxPrintkPerSec,
        maxBytesPerSec: limits.maxBytesPerSec,
        rateShare: this.rateShare,
        maxMapBytes: limits.maxMapBytes,
        maxMapEntries: limits.maxMapEntries,
        maxFramesPerSec: limits.maxFramesPerSec,
        ...(options.eventRows ? { eventRows: true } : {}),
        ...(options.eventFormat === 'binary' ? { eventFormat: 'binary' as const } : {}),
        uprobeBinaries: this.ctx.config.uprobeBinaries,
        ...(prepared.network
          ? {
              network: {
                pps: options.packetsPerSec ?? RUN_DEFAULTS.packetsPerSec,
                ...(this.planted.packets ? { planted: this.planted.packets } : {}),
              },
            }
          : {}),
      },
    });
    if (this.paused) runner.send({ t: 'pause', paused: true });
    // The run time counts from attach: a verifier that takes seconds on a big program must not use
    // up a short run before it has produced anything. Load and attach get their own, generous limit.
    this.durationSec = durationSec;
    this.timer = setTimeout(
      () => this.stop('timeout', `load and attach did not finish within ${startupLimitS} s`),
      startupLimitS * 1000,
    );
  }

  private durationSec = 0;

  /** Read through a method: TS would otherwise narrow the field across the awaits above. */
  private pendingStop(): { reason: StopReason; message: string } | undefined {
    return this.stopRequest;
  }

  private onRunner(m: FromRunner): void {
    if (this.killTimer && this.stopAt !== undefined && performance.now() - this.stopAt < stopMaxMs)
      this.killTimer.refresh();
    switch (m.t) {
      case 'frame':
        this.trail.frame(m.type, m.json);
        this.sink.forward(m.type, m.json);
        if (m.type === 'printk' || m.type === 'events') this.releaseSideInfo();
        break;
      case 'binary':
        this.sink.forwardBinary(
          m.wire ?? binaryMessage(typeof m.header === 'string' ? Buffer.from(m.header) : m.header, m.records),
        );
        this.releaseSideInfo();
        break;
      case 'state':
        this.status(m.state, m.message ? { message: m.message } : {});
        if (m.state === 'running') {
          setTimeout(this.releaseSideInfo, sideInfoDelayMs).unref();
          clearTimeout(this.timer);
          const d = this.durationSec;
          this.timer = setTimeout(() => this.stop('timeout', `run time limit reached (${d} s)`), d * 1000);
        }
        break;
      case 'done':
        this.finish(m.reason, m.message, m.stats);
        break;
      default:
        break;
    }
  }

  private onRunnerExit(): void {
    if (this.stoppedSent) return;
    const req = this.stopRequest;
    if (req) this.finish(req.reason, req.message);
    else this.finish('runner-crash', 'the runner process ended unexpectedly; its programs were released by the kernel');
  }

  /** Backpressure from the client's socket: the runner keeps draining the kernel but drops and counts. */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.runner?.send({ t: 'pause', paused });
  }

  /** The session's output budget is split between its runs; the runner applies the new share at once. */
  setRateShare(share: number): void {
    if (this.rateShare === share) return;
    this.rateShare = share;
    this.runner?.send({ t: 'share', share });
  }

  stop(reason: StopReason, message: string): void {
    if (this.stoppedSent || this.stopRequest) return;
    this.stopRequest = { reason, message };
    this.abort.abort();
    if (!this.runner) return; // the pipeline notices stopRequest at its next step
    this.status('stopping');
    if (!this.runner.send({ t: 'stop', reason, message })) this.runner.kill();
    this.stopAt = performance.now();
    this.killTimer = setTimeout(() => this.runner?.kill(), stopGraceMs);
  }

  /** Kill without ceremony (agent exit): the kernel releases everything with the process. */
  kill(reason: StopReason, message: string): void {
    this.stopRequest ??= { reason, message };
    this.runner?.kill();
    this.finish(reason, message);
  }

  private finish(reason: StopReason, message: string, stats = { events: 0, printk: 0, dropped: 0 }): void {
    if (this.stoppedSent) return;
    this.stoppedSent = true;
    this.releaseSideInfo();
    clearTimeout(this.timer);
    clearTimeout(this.killTimer);
    if (this.runner && !this.runner.exited) setTimeout(() => this.runner?.kill(), stopGraceMs).unref();
    const durationMs = this.elapsed();
    this.ctx.audit?.write(this.trail.record(reason, message, stats));
    // Disassembly and CO-RE frames belong before the final one; never wait on them for long.
    const late = new Promise<void>((r) => setTimeout(r, sideInfoMaxWaitMs).unref());
    void Promise.race([this.sideInfo, late]).then(() => {
      this.status('stopped', { message });
      this.sink.send({ type: 'stopped', runId: this.runId, reason, message, durationMs, stats });
      this.sink.ended(this);
    });
  }
}
