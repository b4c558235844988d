import { randomUUID } from 'node:crypto';
import type { LessonCheckMessage, ClientMessage, RunMessage, Snippet, StopReason } from '@bpfplay/protocol';
import { LessonError, readLesson, type Lesson } from '@bpfplay/lessons';
import type { AgentContext } from '../agent-context.js';
import { RunController, type RunSink } from '../run/controller.js';
import { LessonCheckRun } from '../lesson/check-run.js';
import type { Connection } from '../server/connection.js';
import { snippetQuotaError } from '../policy/snippet-quota.js';
import type { LspChannel } from '../lsp/channel.js';
import { CheckRunner } from '../lsp/check.js';
import { runTrigger } from '../trigger/example-triggers.js';

/**
 * A client session (one WebSocket). Owns its runs: when the socket closes, every run is stopped and
 * its runner released, so a closed tab leaves nothing in the kernel.
 */
export class Session {
  readonly id = randomUUID();
  private readonly runs = new Map<string, RunController>();
  private closed = false;
  /** The editor's completion, hover and diagnostics (clangd), and its compile-as-you-type. */
  private readonly lsp: LspChannel;
  private readonly checks: CheckRunner;
  private triggering = false;

  constructor(
    private readonly ctx: AgentContext,
    private readonly conn: Connection,
    readonly tokenId: string,
    /** Called once, when the session has closed (the agent forgets it). */
    private readonly onClosed: (s: Session) => void = () => {},
  ) {
    this.lsp = ctx.lsp.channel((p) => conn.send(p));
    this.checks = new CheckRunner(ctx.compiler, (p) => conn.send(p));
    conn.attach({
      onMessage: (m) => this.onMessage(m),
      onBackpressure: (b) => {
        for (const r of this.runs.values()) r.setPaused(b);
      },
      onClose: () => this.close('disconnect', 'the client disconnected'),
    });
  }

  get activeRuns(): number {
    return this.runs.size;
  }

  private onMessage(m: ClientMessage): void {
    switch (m.type) {
      case 'run':
        return this.startRun(m);
      case 'lesson-check':
        return this.startLessonCheck(m);
      case 'stop': {
        const run = this.runs.get(m.runId);
        if (!run) return this.conn.error('not-found', `no active run "${m.runId}" in this session`, m.runId);
        return run.stop('user', 'stopped by the user');
      }
      case 'ping':
        return this.conn.send({ type: 'pong', ...(m.t !== undefined ? { t: m.t } : {}) });
      case 'trigger':
        return this.trigger(m.example);
      case 'btf-upload': {
        const r = this.ctx.coReTargets.upload(this.id, m.name, m.data, this.ctx.config.limits);
        if ('error' in r) return this.conn.error(r.quota ? 'quota' : 'bad-message', r.error);
        return this.conn.send({ type: 'btf-uploaded', name: m.name, types: r.types });
      }
      case 'lsp-open':
        return this.lsp.open(m.snippet);
      case 'lsp-change':
        try {
          return this.lsp.change(m);
        } catch (e) {
          // The editor and the agent disagree about the text: the editor opens the files again.
          return this.conn.error('bad-message', (e as Error).message);
        }
      case 'lsp-request':
        return this.lsp.request(m.id, m.request);
      case 'lsp-cancel':
        return this.lsp.cancel(m.id);
      case 'check': {
        const tooBig = snippetQuotaError(m.snippet, this.ctx.config.limits);
        if (tooBig) return this.conn.error('quota', tooBig);
        return this.checks.check(m);
      }
    }
  }

  /** The quotas a run or a lesson check must pass before it starts; false (and an error sent) when it may not. */
  private admit(runId: string, snippet: Snippet): boolean {
    const limits = this.ctx.config.limits;
    if (this.runs.has(runId)) {
      this.conn.error('bad-message', `run "${runId}" is already active`, runId);
      return false;
    }
    if (this.runs.size >= limits.maxRunsPerSession) {
      this.conn.error(
        'quota',
        `this session already has ${this.runs.size} active runs (limit ${limits.maxRunsPerSession}); stop one first`,
        runId,
      );
      return false;
    }
    if (this.ctx.runs.count >= limits.maxConcurrentRuns) {
      this.conn.error(
        'busy',
        `the agent is running ${limits.maxConcurrentRuns} runs already; try again shortly`,
        runId,
      );
      return false;
    }
    const tooBig = snippetQuotaError(snippet, limits);
    if (tooBig) {
      this.conn.error('quota', tooBig, runId);
      return false;
    }
    return true;
  }

  private sink(): RunSink {
    return {
      send: (p) => this.conn.send(p),
      forward: (_type, json) => this.conn.forward(json),
      forwardBinary: (message) => this.conn.forwardBinary(message),
      ended: (r) => {
        this.runs.delete(r.runId);
        this.ctx.runs.remove(r);
        this.shareOutput();
      },
    };
  }

  private launch(run: RunController, start: () => Promise<void>): void {
    this.runs.set(run.runId, run);
    this.shareOutput();
    this.ctx.runs.add(run);
    void start();
  }

  private startRun(m: RunMessage): void {
    if (!this.admit(m.runId, m.snippet)) return;
    const run = new RunController(this.ctx, m, this.sink(), this.id, this.tokenId);
    this.launch(run, () => run.start());
  }

  /** A lesson check: the lesson (and its trigger) is read from the agent's own lessons folder. */
  private startLessonCheck(m: LessonCheckMessage): void {
    let lesson: Lesson;
    try {
      lesson = readLesson(this.ctx.config.lessonsDir, m.lesson);
    } catch (e) {
      if (!(e instanceof LessonError)) throw e;
      return this.conn.error('not-found', e.message, m.runId);
    }
    if (!this.admit(m.runId, m.snippet)) return;
    const check = new LessonCheckRun(this.ctx, lesson, m, this.sink(), this.id, this.tokenId);
    this.launch(check.run, () => check.start());
  }

  /** Runs an example's own trigger from the agent's bpf/; one at a time per session. */
  private trigger(example: string): void {
    const command = this.ctx.triggers.get(example);
    if (command === undefined)
      return this.conn.error('not-found', `the agent has no trigger for an example named "${example}"`);
    if (this.triggering) return this.conn.error('busy', 'a trigger of this session is still running; wait for it');
    if (!this.ctx.triggerStarted())
      return this.conn.error(
        'busy',
        `the agent is running ${this.ctx.config.limits.maxTriggers} triggers already; try again shortly`,
      );
    this.triggering = true;
    void runTrigger(example, command, this.ctx.config.limits.triggerSeconds).then((r) => {
      this.triggering = false;
      this.ctx.triggerEnded();
      this.conn.send(r);
    });
  }

  /** The output budgets (events/s, bytes/s) are per session: split them evenly between its runs. */
  private shareOutput(): void {
    for (const r of this.runs.values()) r.setRateShare(1 / this.runs.size);
  }

  /** Stop every run; with `kill`, without waiting for runners (agent exit). */
  close(reason: StopReason, message: string, kill = false): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of [...this.runs.values()]) {
      if (kill) r.kill(reason, message);
      else r.stop(reason, message);
    }
    this.ctx.coReTargets.dropSession(this.id);
    this.lsp.close();
    this.checks.close();
    this.onClosed(this);
  }
}
