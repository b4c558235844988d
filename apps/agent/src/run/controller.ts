import type { RunMessage, RunState, ServerMessage, ServerPayload, StopReason, TargetOutcome } from '@bpfplay/protocol';
import { MAX_OBJECT_BYTES, mainFileOf, RUN_DEFAULTS } from '@bpfplay/protocol';
import { createHash } from 'node:crypto';
import type { CompileResult } from '../compile/index.js';
import { knobValues } from '../load/map-sizes.js';
import type { AgentContext } from '../agent-context.js';
import { RunTrail } from '../audit/run-trail.js';
import { QueueFullError } from '../compile/queue.js';
import { prepareObject } from './prepare.js';
import { projectFrame } from '../export/project.js';
import type { RunTargetEnv } from './target-env.js';
import { RUN_TIMES } from '../limits.js';
import { GUEST_LIMITS } from '../guest/limits.js';
import { TargetRun, type TargetSink } from './target-run.js';
import type { PlantedPackets } from '../runner/ipc.js';

/** What a run goes on with: an object compiled here, or one a fan-out shipped (`cache: 'shipped'`). */
type Compiled = Omit<CompileResult, 'cache'> & { cache: CompileResult['cache'] | 'shipped' };

export interface RunSink {
  send(payload: ServerPayload): void;
  /** Forward a runner frame (already JSON: text, or UTF-8 bytes). */
  forward(type: ServerMessage['type'], json: string | Uint8Array): void;
  /** Forward a runner's binary events message (stream/binary-frame.ts: `seq` still to be stamped). */
  forwardBinary(message: Uint8Array): void;
  ended(run: RunController): void;
}

/**
 * One run on the agent side: compile once → check per target → (one runner per target) load →
 * attach → stream → stopped. Whatever happens, exactly one final `stopped` frame is sent, and only
 * after every target's runner process is gone or has reported that it released everything.
 */
export class RunController {
  readonly runId: string;
  private readonly t0 = performance.now();
  private readonly abort = new AbortController();
  private targets: TargetRun[] = [];
  private readonly outcomes: TargetOutcome[] = [];
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

  private lastState?: string;

  private status(state: RunState, extra: { message?: string; queuePosition?: number; target?: string } = {}): void {
    // The agent and the runner may both announce "stopping"; say it once (per target).
    const key = `${extra.target ?? ''}:${state}`;
    if (key === this.lastState && state !== 'queued') return;
    this.lastState = key;
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
    if (this.msg.object !== undefined) return this.shippedPipeline(this.msg.object);
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
    return this.afterCompile(compiled);
  }

  /**
   * A fan-out run's object, compiled by another agent from the same snippet: no clang here, the
   * rest (policy, CO-RE against this kernel, load) as for an object compiled here. Agents that were
   * not told they are part of a fleet (--accept-objects) refuse it: libbpf would parse bytes that
   * no clang of theirs wrote.
   */
  private async shippedPipeline(base64: string): Promise<void> {
    if (!this.ctx.config.acceptObjects) {
      return this.finish(
        'refused',
        'this agent runs only objects it compiled itself: send the snippet, or start the agent with --accept-objects',
      );
    }
    const object = Buffer.from(base64, 'base64');
    if (object.length > MAX_OBJECT_BYTES || object.subarray(0, 4).toString('latin1') !== '\x7fELF') {
      return this.finish('refused', `the shipped object is not an ELF file of at most ${MAX_OBJECT_BYTES} bytes`);
    }
    return this.afterCompile({
      ok: true,
      object,
      diagnostics: [],
      output: '',
      durationMs: 0,
      cache: 'shipped',
      objectHash: createHash('sha256').update(object).digest('hex'),
    });
  }

  private async afterCompile(compiled: Compiled): Promise<void> {
    const { snippet } = this.msg;
    const options = this.msg.options ?? {};
    this.trail.compiled(compiled);
    const req = this.pendingStop();
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
      ...(compiled.object && options.returnObject ? { object: compiled.object.toString('base64') } : {}),
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

    const targets = this.targetEnvs();
    if (typeof targets === 'string') return this.finish('refused', targets);
    const scope = {
      ctx: this.ctx,
      runId: this.runId,
      sessionId: this.sessionId,
      snippet,
      options,
      send: (p: ServerPayload) => this.sink.send(p),
      startAfter: this.sideInfoGate,
    };
    const first = await prepareObject(scope, compiled.object, targets[0]);
    this.sideInfo = first.sideInfo;
    if (first.quota) return this.finish('quota', first.quota);
    const shared = first.shared;
    if (!shared) return this.finish('refused', first.refused ?? 'the compiled object could not be read');
    if (options.mode === 'compile' || options.mode === 'export') {
      for (const t of targets.slice(1)) await prepareObject(scope, compiled.object, t, shared);
      if (first.refused) return this.finish('refused', first.refused);
      if (options.mode === 'compile') return this.finish('finished', 'compile-only run: checked, not loaded');
      const input = { snippet, spec: shared.info, off: first.skip, params: options.params ?? {} };
      const made = projectFrame(this.runId, input, compiled.object);
      if ('error' in made) return this.finish('error', made.error);
      this.sink.send(made.frame);
      return this.finish('finished', `exported as a libbpf project (${made.frame.files.length} files), not loaded`);
    }
    // The packet lab runs the programs on a packet: no sandbox network, no traffic, nothing attached.
    const testRun = options.mode === 'test-run' ? options.packet : undefined;
    if (options.mode === 'test-run' && !testRun) return this.finish('error', 'a test run needs options.packet');
    const limits = this.ctx.config.limits;
    const durationSec = Math.min(options.durationSec ?? limits.defaultRunSeconds, limits.maxRunSeconds);
    if (options.durationSec !== undefined && options.durationSec > limits.maxRunSeconds) {
      this.sink.send({
        type: 'warning',
        runId: this.runId,
        message: `run time capped at ${limits.maxRunSeconds} s (the agent's limit); asked for ${options.durationSec} s`,
      });
    }
    this.targets = targets.map(
      (env) =>
        new TargetRun(
          env.name,
          this.targetSink(env.name),
          env.guest ? Math.max(RUN_TIMES.stopGraceMs, (GUEST_LIMITS.quitSeconds + 2) * 1000) : RUN_TIMES.stopGraceMs,
        ),
    );
    await Promise.all(
      targets.map(async (env, i) => {
        const t = this.targets[i]!;
        const prepared = i === 0 ? first : await prepareObject(scope, compiled.object!, env, shared);
        if (prepared.refused) return t.end('refused', prepared.refused);
        if (testRun && env.guest) return t.end('refused', 'the packet lab runs on the host kernel, not in a guest');
        if (prepared.quota) return t.end('quota', prepared.quota);
        if (prepared.nothingToRun) return t.end('attach-error', prepared.nothingToRun);
        if (this.pendingStop()) return t.end(this.pendingStop()!.reason, this.pendingStop()!.message);
        const runner = env.guest
          ? await this.ctx.guests.acquire(env.guest)
          : await this.ctx.pool.acquire({ netns: prepared.network === true && !testRun });
        const label = this.labelled ? { target: env.name } : {};
        t.start(
          runner,
          {
            runId: this.runId,
            object: compiled.object!,
            objectName: (mainFileOf(snippet.files, snippet.main) ?? 'snippet').replace(/\.bpf\.c$|\.c$/, ''),
            ...(prepared.coreBtfPath ? { coreBtfPath: prepared.coreBtfPath } : {}),
            skip: prepared.skip,
            probes: prepared.probes,
            ...(prepared.locations ? { locations: prepared.locations } : {}),
            ...(prepared.fallbacks ? { fallbacks: prepared.fallbacks } : {}),
            ...(prepared.mapSizes ? { mapSizes: prepared.mapSizes } : {}),
            params: knobValues(options.params ?? {}),
            perfFrequency: options.perfFrequency ?? RUN_DEFAULTS.perfFrequency,
            mapIntervalMs: options.mapIntervalMs ?? RUN_DEFAULTS.mapIntervalMs,
            maxEventsPerSec: limits.maxEventsPerSec,
            maxPrintkPerSec: limits.maxPrintkPerSec,
            maxBytesPerSec: limits.maxBytesPerSec,
            rateShare: this.rateShare / targets.length,
            maxMapBytes: limits.maxMapBytes,
            maxMapEntries: limits.maxMapEntries,
            maxFramesPerSec: limits.maxFramesPerSec,
            ...(options.eventFormat === 'binary' ? { eventFormat: 'binary' as const } : {}),
            uprobeBinaries: this.ctx.config.uprobeBinaries,
            ...(testRun ? { testRun } : {}),
            ...(prepared.network && !testRun
              ? {
                  network: {
                    pps: options.packetsPerSec ?? RUN_DEFAULTS.packetsPerSec,
                    ...(this.planted.packets ? { planted: this.planted.packets } : {}),
                  },
                }
              : {}),
            ...label,
            ...(env.guest ? { guest: env.guest } : {}),
          },
          durationSec,
        );
      }),
    );
  }

  /** The run's targets (options.targets, or the agent's default), or why one cannot be used. */
  private targetEnvs(): RunTargetEnv[] | string {
    const names = this.msg.options?.targets ?? [this.ctx.defaultTarget];
    const out: RunTargetEnv[] = [];
    for (const name of names) {
      const env = this.ctx.targets.get(name);
      if (!env)
        return `no run target named "${name}" on this agent; its targets: ${[...this.ctx.targets.keys()].join(', ')}`;
      out.push(env);
    }
    return out;
  }

  /** Frames of a run that named its targets carry the target; a plain run's frames stay as they were. */
  private get labelled(): boolean {
    return this.msg.options?.targets !== undefined;
  }

  private targetSink(target: string): TargetSink {
    const label = this.labelled ? { target } : {};
    return {
      status: (state, extra) => this.status(state, { ...extra, ...label }),
      forward: (type, json) => {
        this.trail.frame(type, json);
        this.sink.forward(type, json);
      },
      forwardBinary: (m) => this.sink.forwardBinary(m),
      output: () => this.releaseSideInfo(),
      ended: (outcome) => {
        this.outcomes.push(outcome);
        if (this.targets.length > 1) {
          this.sink.send({
            type: 'stopped',
            runId: this.runId,
            target,
            reason: outcome.reason,
            message: outcome.message,
            durationMs: this.elapsed(),
            stats: outcome.stats,
          });
        }
        if (this.targets.every((t) => t.done)) this.finishTargets();
      },
    };
  }

  /** Every target ended: the run's one final `stopped` sums them up. */
  private finishTargets(): void {
    const o = this.outcomes;
    const shared = this.stopRequest;
    const failed = o.find((x) => !['user', 'timeout', 'finished', 'disconnect', 'agent-exit'].includes(x.reason));
    const head = failed ?? o[0]!;
    const stats = o.reduce(
      (a, x) => ({
        events: a.events + x.stats.events,
        printk: a.printk + x.stats.printk,
        dropped: a.dropped + x.stats.dropped,
      }),
      { events: 0, printk: 0, dropped: 0 },
    );
    const message =
      o.length === 1 ? head.message : o.map((x) => `${x.target}: ${x.reason}: ${x.message.split('\n')[0]}`).join('\n');
    this.finish(shared && !failed ? shared.reason : head.reason, message, stats, this.labelled ? o : undefined);
  }

  /** Read through a method: TS would otherwise narrow the field across the awaits above. */
  private pendingStop(): { reason: StopReason; message: string } | undefined {
    return this.stopRequest;
  }

  /** Backpressure from the client's socket: the runners keep draining the kernel but drop and count. */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    for (const t of this.targets) t.setPaused(paused);
  }

  /** The session's output budget is split between its runs (and a run's between its targets). */
  setRateShare(share: number): void {
    if (this.rateShare === share) return;
    this.rateShare = share;
    for (const t of this.targets) t.setRateShare(share / this.targets.length);
  }

  stop(reason: StopReason, message: string): void {
    if (this.stoppedSent || this.stopRequest) return;
    this.stopRequest = { reason, message };
    this.abort.abort();
    if (!this.targets.length) return; // the pipeline notices stopRequest at its next step
    this.status('stopping');
    for (const t of this.targets) t.stop(reason, message);
  }

  /** Kill without ceremony (agent exit): the kernel releases everything with the processes. */
  kill(reason: StopReason, message: string): void {
    this.stopRequest ??= { reason, message };
    for (const t of this.targets) t.kill(reason, message);
    this.finish(reason, message);
  }

  private finish(
    reason: StopReason,
    message: string,
    stats = { events: 0, printk: 0, dropped: 0 },
    targets?: TargetOutcome[],
  ): void {
    if (this.stoppedSent) return;
    this.stoppedSent = true;
    this.releaseSideInfo();
    const durationMs = this.elapsed();
    this.ctx.audit?.write(this.trail.record(reason, message, stats));
    // Disassembly and CO-RE frames belong before the final one; never wait on them for long.
    const late = new Promise<void>((r) => setTimeout(r, RUN_TIMES.sideInfoMaxWaitMs).unref());
    void Promise.race([this.sideInfo, late]).then(() => {
      this.status('stopped', { message });
      this.sink.send({
        type: 'stopped',
        runId: this.runId,
        reason,
        message,
        durationMs,
        stats,
        ...(targets ? { targets } : {}),
      });
      this.sink.ended(this);
    });
  }
}
