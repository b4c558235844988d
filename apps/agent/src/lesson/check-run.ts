import type { LessonCheckMessage, ServerMessage, ServerPayload } from '@bpfplay/protocol';
import { endedWell, fillPlaceholders, parseServerMessage } from '@bpfplay/protocol';
import { plantValues, type Lesson } from '@bpfplay/lessons';
import type { AgentContext } from '../agent-context.js';
import { capabilityOf, type AttachKind } from '../attach/kinds.js';
import { BinaryEvents } from '../cli/binary-events.js';
import { RunController, type RunSink } from '../run/controller.js';
import { Judge } from './judge.js';
import { Triggers } from './trigger.js';

/** Map snapshots during a check: often enough that a met map expectation ends the check early. */
const CHECK_MAP_INTERVAL_MS = 250;
/** After the expectations' time is up, one more snapshot interval for the last map snapshot. */
const GRACE_MS = 300;
/** The run's own time limit, beyond the check's `within`: a backstop should the check's timer not fire. */
const BACKSTOP_SEC = 3;
/** Runner frames the judge reads (the rest — disassembly, logs — judge nothing). */
const JUDGED = new Set(['printk', 'events', 'maps', 'iter', 'schema', 'verifier', 'loaded']);

/**
 * One lesson check: the learner's snippet runs through the same pipeline as a `run` (compile,
 * policy, load, attach, stream: a RunController), while this watches the frames it sends. Values
 * are planted fresh, the lesson's trigger runs once the programs are attached (or before, for
 * iterators), and the run is stopped as soon as every expectation is met or `within` seconds after
 * the trigger. After the run's `stopped` — so nothing of it is left in the kernel — and after the
 * trigger's processes are gone, a `verdict` says in plain words what passed and what did not.
 */
export class LessonCheckRun {
  readonly run: RunController;
  private readonly planted: Record<string, string | number>;
  private readonly judge: Judge;
  private readonly triggers: Triggers;
  private readonly binary = new BinaryEvents();
  private readonly t0 = performance.now();
  private deadline?: NodeJS.Timeout;
  private running = false;
  private stopping = false;
  private verifierFailure?: string;
  private verdictSent!: () => void;
  private readonly verdictDone = new Promise<void>((r) => (this.verdictSent = r));

  constructor(
    private readonly ctx: AgentContext,
    private readonly lesson: Lesson,
    msg: LessonCheckMessage,
    private readonly sink: RunSink,
    sessionId: string,
    tokenId = '',
  ) {
    const check = lesson.check;
    this.planted = plantValues(check.plant);
    this.judge = new Judge(check.expect, this.planted, lesson.main);
    this.triggers = new Triggers(check.trigger, this.planted);
    const port = check.packets ? Number(fillPlaceholders(String(check.packets.port), this.planted)) : undefined;
    this.run = new RunController(
      ctx,
      {
        type: 'run',
        runId: msg.runId,
        snippet: msg.snippet,
        options: {
          ...msg.options,
          durationSec: check.within + BACKSTOP_SEC,
          mapIntervalMs: CHECK_MAP_INTERVAL_MS,
          ...(check.params ? { params: check.params } : {}),
        },
      },
      this.watch(),
      sessionId,
      tokenId,
      port !== undefined ? { packets: { port, count: check.packets!.count } } : {},
    );
  }

  get runId(): string {
    return this.run.runId;
  }

  async start(): Promise<void> {
    await this.triggers.startBefore();
    await this.run.start();
  }

  /** The sink the run writes to: the client's, with the judge reading along. */
  private watch(): RunSink {
    return {
      send: (p) => {
        if (p.type === 'stopped') {
          this.sink.send(p);
          void this.finish(p);
          return;
        }
        this.sink.send(p);
        this.observe(p as ServerMessage);
        if (p.type === 'status' && p.state === 'running') this.onRunning();
      },
      forward: (type, json) => {
        this.sink.forward(type, json);
        if (!JUDGED.has(type)) return;
        const r = parseServerMessage(typeof json === 'string' ? `{"seq":0,${json.slice(1)}` : seqFrame(json));
        if (r.ok) this.observe(r.message.type === 'schema' ? this.binary.schema(r.message) : r.message);
      },
      forwardBinary: (message) => {
        this.sink.forwardBinary(message);
        const r = this.binary.events(message);
        if (r.ok) this.observe(r.message);
      },
      ended: (run) => void this.verdictDone.then(() => this.sink.ended(run)),
    };
  }

  private observe(m: ServerMessage): void {
    if (m.type === 'verifier' && m.failure) {
      const f = m.failure;
      this.verifierFailure = `${f.reason}${f.location ? ` (${f.location.file}:${f.location.line})` : ''}`;
    }
    this.judge.observe(m);
    if (this.running && !this.stopping && this.judge.decided()) this.stopDecided();
  }

  private onRunning(): void {
    if (this.running) return;
    this.running = true;
    void this.triggers.runRunning();
    this.deadline = setTimeout(
      () => this.stop(`check time is up (${this.lesson.check.within} s after the trigger)`),
      this.lesson.check.within * 1000 + GRACE_MS,
    );
    if (this.judge.decided()) this.stopDecided();
  }

  private stopDecided(): void {
    this.stop(
      this.judge.allMet() ? 'check complete: every expectation was met' : 'check complete: the outcome cannot change',
    );
  }

  private stop(message: string): void {
    this.stopping = true;
    clearTimeout(this.deadline);
    this.run.stop('finished', message);
  }

  private async finish(stopped: Extract<ServerPayload, { type: 'stopped' }>): Promise<void> {
    clearTimeout(this.deadline);
    this.triggers.stop();
    const ran = endedWell(stopped.reason);
    const expectations = this.judge.results(ran);
    const passed =
      this.judge.allMet() &&
      !this.triggers.problems.length &&
      (ran ? stopped.reason !== 'user' : this.judge.expectsRefusal());
    this.sink.send({
      type: 'verdict',
      runId: this.run.runId,
      lesson: this.lesson.id,
      passed,
      summary: passed
        ? `Passed: ${expectations.length} of ${expectations.length} expectations met.`
        : this.why(stopped, ran),
      expectations,
      planted: this.planted,
      durationMs: Math.round(performance.now() - this.t0),
    });
    this.verdictSent();
  }

  /** The one sentence a learner needs when the check did not pass. */
  private why(stopped: Extract<ServerPayload, { type: 'stopped' }>, ran: boolean): string {
    if (this.triggers.problems.length)
      return `The check could not run its trigger (a problem with the lesson or this machine, not your program): ${this.triggers.problems[0]}`;
    if (!ran && !this.judge.expectsRefusal()) {
      const msg = stopped.message.replace(/^compile failed: /, '');
      switch (stopped.reason) {
        case 'compile-error':
          return `Your program did not compile: ${msg}`;
        case 'verifier':
          return `The verifier refused your program: ${this.verifierFailure ?? msg}. Fix that line and press Check again.`;
        case 'refused':
          return `The playground's policy refused your program: ${msg}`;
        case 'load-error':
        case 'attach-error':
          return `Your program could not be ${stopped.reason === 'load-error' ? 'loaded' : 'attached'}: ${msg}${this.missingNeeds()}`;
        case 'quota':
          return `The agent is busy right now (${msg}); press Check again in a moment.`;
        default:
          return `The check could not finish: ${msg}`;
      }
    }
    if (stopped.reason === 'user') return 'You stopped the check before it finished; press Check again.';
    const failed = this.judge.results(ran).find((r) => !r.ok);
    if (!failed) return 'The verifier accepted your program, but this lesson wants it refused.';
    return `Not yet: expected ${failed.text}, but ${failed.detail ?? 'it did not happen'}.`;
  }

  /** The lesson's attach kinds this kernel cannot serve, as a sentence (or nothing). */
  private missingNeeds(): string {
    const missing = this.lesson.needs.attach
      .map((kind) => this.ctx.capabilities.find((c) => c.kind === capabilityOf(kind as AttachKind)))
      .filter((c) => c !== undefined && !c.supported);
    if (!missing.length) return '';
    return `. This lesson needs ${missing.map((c) => `${c!.kind} (${c!.reason ?? 'not supported'})`).join(', ')}, which this kernel cannot attach`;
  }
}

/** A runner frame as UTF-8 JSON bytes, with a `seq` so it parses as a server message. */
function seqFrame(json: Uint8Array): string {
  return `{"seq":0,${Buffer.from(json.buffer, json.byteOffset + 1, json.byteLength - 1).toString('utf8')}`;
}
