import WebSocket, { type RawData } from 'ws';
import {
  CLOSE_CODES,
  encodeBinaryEvents,
  parseBinaryEvents,
  parseClientMessage,
  parseServerMessage,
  type ClientMessage,
  type LearnerActivity,
  type ServerMessage,
  type ServerPayload,
  type Snippet,
} from '@bpfplay/protocol';
import type { TlsOptions } from '@bpfplay/nodes';
import { ActivityTracker, ordinal } from './activity';
import type { AdmissionLine, Ticket } from './admission';

/** One agent the relay can open sessions on, with its admission line (shared by every learner placed there). */
export interface AgentTarget {
  name: string;
  url: string;
  token: string;
  tls?: TlsOptions;
  line: AdmissionLine;
}

export interface RelayHooks {
  activity(a: LearnerActivity): void;
  /** The code of a run or check the learner sent: what the instructor's read-only view opens. */
  code(s: Snippet): void;
  /** The learner's socket closed (the relay has closed the agent's). */
  closed(): void;
}

/** Frames a learner may send before the agent session is open (the page sends none before hello). */
const MAX_EARLY_MESSAGES = 16;
/** The agent's limit on one client message; the relay refuses bigger ones before they cross. */
const MAX_LEARNER_MESSAGE_BYTES = 48 << 20;

/** What the relay says when the agent itself cannot be reached or refuses the relay. */
export const RELAY_CLOSE = Object.freeze({
  /** Try again later (RFC 6455): the agent is unreachable or went away. */
  agentGone: 1013,
});

/**
 * One learner's agent session, relayed: the learner's WebSocket (room credential, checked by the
 * caller) on one side, an agent session opened with the agent's token on the other, naming the
 * learner in `X-Bpfplay-Client` so the agent's per-client quotas apply per learner (the agent
 * believes that header only from a --trust-proxy address). Every frame is parsed with the
 * protocol both ways and gets the relay's own `seq`, because the relay adds frames of its own: a
 * run waiting in the admission line gets `status` queued frames with its position and estimate.
 */
export class LearnerRelay {
  private readonly agent: WebSocket;
  private readonly tracker = new ActivityTracker();
  private readonly early: ClientMessage[] = [];
  /** Runs of this session in the admission line or on the agent, by runId. */
  private readonly runs = new Map<string, { ticket: Ticket; message: ClientMessage; since: number }>();
  private seq = 0;
  private agentOpen = false;
  private ended = false;

  constructor(
    private readonly learner: WebSocket,
    private readonly target: AgentTarget,
    /** `<room>/<learner>`: the agent counts sessions per client by it. */
    private readonly clientId: string,
    private readonly hooks: RelayHooks,
  ) {
    this.agent = new WebSocket(target.url, {
      headers: { authorization: `Bearer ${target.token}`, 'x-bpfplay-client': clientId },
      handshakeTimeout: 10_000,
      maxPayload: 64 << 20,
      ...(target.tls?.ca ? { ca: target.tls.ca } : {}),
      ...(target.tls?.servername ? { servername: target.tls.servername } : {}),
    });
    this.agent.binaryType = 'nodebuffer';
    this.agent.on('open', () => {
      this.agentOpen = true;
      for (const m of this.early.splice(0)) this.fromLearner(m);
    });
    this.agent.on('message', (data, isBinary) => this.fromAgent(data, isBinary));
    this.agent.on('close', (code, reason) => this.agentClosed(code, reason.toString()));
    this.agent.on('error', () => {
      /* followed by close */
    });
    learner.on('message', (data, isBinary) => this.receiveLearner(data, isBinary));
    learner.on('close', () => this.end());
    learner.on('error', () => learner.terminate());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The instructor's Stop: every run of this learner ends, waiting ones too. */
  stopRuns(): void {
    for (const [runId, r] of this.runs) {
      if (this.target.line.isWaiting(r.ticket.key)) this.cancelWaiting(runId, 'stopped by the instructor');
      else this.sendAgent({ type: 'stop', runId });
    }
  }

  close(code: number, reason: string): void {
    this.learner.close(code, reason);
  }

  private receiveLearner(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.sendLearner({ type: 'error', code: 'bad-message', message: 'send JSON text frames' });
    const raw = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    if (raw.length > MAX_LEARNER_MESSAGE_BYTES)
      return this.sendLearner({ type: 'error', code: 'too-large', message: 'message too large' });
    const parsed = parseClientMessage(raw.toString('utf8'));
    if (!parsed.ok)
      return this.sendLearner({
        type: 'error',
        code: parsed.code,
        message: parsed.message,
        ...(parsed.runId ? { runId: parsed.runId } : {}),
      });
    if (!this.agentOpen) {
      if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(parsed.message);
      return;
    }
    this.fromLearner(parsed.message);
  }

  private fromLearner(m: ClientMessage): void {
    if (m.type === 'run' || m.type === 'lesson-check') {
      this.hooks.code(m.snippet);
      this.note(this.tracker.sent(m));
      if (this.runs.has(m.runId))
        return this.sendLearner({ type: 'error', code: 'bad-message', message: `run "${m.runId}" is already active` });
      const ticket: Ticket = {
        key: `${this.clientId}/${m.runId}`,
        start: () => this.sendAgent(m),
        waiting: (position, estimateMs) => this.tellWaiting(m.runId, position, estimateMs),
      };
      this.runs.set(m.runId, { ticket, message: m, since: Date.now() });
      this.target.line.request(ticket);
      return;
    }
    if (m.type === 'stop') {
      const r = this.runs.get(m.runId);
      if (r && this.target.line.isWaiting(r.ticket.key))
        return this.cancelWaiting(m.runId, 'stopped while waiting in line');
    }
    this.sendAgent(m);
  }

  private fromAgent(data: RawData, isBinary: boolean): void {
    const raw = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    if (isBinary) {
      const b = parseBinaryEvents(raw);
      if (!b.ok) return this.sendLearner({ type: 'error', code: 'internal', message: `relay: ${b.message}` });
      const { count: _count, ...header } = b.frame.header;
      if (this.learner.readyState === WebSocket.OPEN)
        this.learner.send(encodeBinaryEvents({ ...header, seq: this.seq++ }, b.frame.records), { binary: true });
      return;
    }
    const parsed = parseServerMessage(raw.toString('utf8'));
    if (!parsed.ok)
      return this.sendLearner({ type: 'error', code: 'internal', message: `relay: the agent sent ${parsed.message}` });
    const m = parsed.message;
    if (m.type === 'hello') this.target.line.setCapacity(m.limits.maxConcurrentRuns);
    if (m.type === 'error' && m.code === 'busy' && m.runId !== undefined && this.runs.has(m.runId)) {
      // Full with other clients' runs: this run waits in line instead of failing.
      return this.target.line.busy(this.runs.get(m.runId)!.ticket);
    }
    this.note(this.tracker.received(m));
    if ('runId' in m && m.runId !== undefined && this.runEnded(m)) {
      const r = this.runs.get(m.runId);
      this.runs.delete(m.runId);
      if (r) this.target.line.done(r.ticket.key, m.type === 'stopped' ? m.durationMs : undefined);
    }
    const { seq: _seq, ...payload } = m;
    this.sendLearner(payload as ServerPayload);
  }

  /** A run's last frame: its final `stopped` (a lesson check's `verdict` follows it), or an error refusing it. */
  private runEnded(m: ServerMessage): boolean {
    if (m.type === 'stopped') return m.target === undefined && m.node === undefined;
    return m.type === 'error';
  }

  private tellWaiting(runId: string, position: number, estimateMs: number): void {
    const r = this.runs.get(runId);
    const secs = Math.max(1, Math.round(estimateMs / 1000));
    this.sendLearner({
      type: 'status',
      runId,
      state: 'queued',
      t: r ? Date.now() - r.since : 0,
      queuePosition: position,
      message: `the agent is full: you are ${ordinal(position)} in line, about ${secs} s`,
    });
    this.note(this.tracker.queued(runId, position));
  }

  private cancelWaiting(runId: string, why: string): void {
    const r = this.runs.get(runId)!;
    this.runs.delete(runId);
    this.target.line.done(r.ticket.key);
    this.sendLearner({
      type: 'stopped',
      runId,
      reason: 'user',
      message: why,
      durationMs: Date.now() - r.since,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    this.note(this.tracker.leftLine(runId, why));
  }

  private note(a: LearnerActivity | null): void {
    if (a) this.hooks.activity(a);
  }

  private sendAgent(m: ClientMessage): void {
    if (this.agent.readyState === WebSocket.OPEN) this.agent.send(JSON.stringify(m));
  }

  private sendLearner(p: ServerPayload): void {
    if (this.learner.readyState !== WebSocket.OPEN) return;
    this.learner.send(JSON.stringify({ ...p, seq: this.seq++ }));
  }

  private agentClosed(code: number, reason: string): void {
    this.releaseRuns();
    if (this.ended) return;
    // The learner's page reconnects with backoff; a refusal of the relay's token is the operator's
    // problem, not the learner's, so it is not passed on as "wrong token" (which stops retries).
    const why =
      code === CLOSE_CODES.tooMany
        ? `the agent has no free session (${reason}); retrying`
        : code === CLOSE_CODES.unauthorized || code === CLOSE_CODES.forbiddenOrigin
          ? 'the web app could not open an agent session (check its agent token and --trust-proxy)'
          : `the agent closed the session${reason ? `: ${reason}` : ''}`;
    this.learner.close(code === CLOSE_CODES.tooMany ? CLOSE_CODES.tooMany : RELAY_CLOSE.agentGone, why.slice(0, 120));
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.releaseRuns();
    if (this.agent.readyState === WebSocket.CONNECTING) this.agent.terminate();
    else this.agent.close(1000, 'learner left');
    this.hooks.closed();
  }

  private releaseRuns(): void {
    for (const r of this.runs.values()) this.target.line.done(r.ticket.key);
    this.runs.clear();
  }
}
