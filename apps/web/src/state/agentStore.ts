import type { ClientMessage, RunOptions, ServerMessage, ServerMessageOf, Snippet } from '@bpfplay/protocol';
import type { ConnectionState, Hello } from './socket/connectionState';
import { initialConnection } from './socket/connectionState';
import { frameBatcher } from './batch';
import { isActive, isRunFrame, newRun, runReducer, type RunView } from './run';
import { Streams, type StreamLimits } from './streams';
import { BtfUploads } from './btfUploads';
import type { RowBatch } from './rowBatch';
import type { ParamsFrame } from './params';
import { SideRuns, type SideKind } from './sideRuns';

export interface AgentNote {
  t: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export const MAX_NOTES = 200;

/** An example's trigger asked of the agent (client `trigger`), and how it went. */
export interface TriggerRun {
  example: string;
  result: ServerMessageOf<'triggered'> | null;
  /** The agent refused it (busy, no such trigger). */
  error: string | null;
}

/**
 * What the page knows about the agent and the current run, as one external store for React
 * (`useSyncExternalStore(session.subscribe, session.getVersion)`). Messages are applied at once;
 * listeners are told at most once per animation frame.
 */
export class AgentStore {
  connection: ConnectionState = initialConnection;
  hello: Hello | null = null;
  run: RunView | null = null;
  readonly streams: Streams;
  /** BTF files uploaded from this tab to check CO-RE relocations against. */
  readonly uploads = new BtfUploads();
  /** Agent-level warnings/errors and protocol problems not tied to a run. */
  notes: AgentNote[] = [];
  /**
   * The `const volatile` globals of the last object the agent compiled for this page (its `params`
   * frame): kept across runs, so the Params pane can be filled in before the next Run.
   */
  params: ParamsFrame | null = null;
  /** The last example trigger this tab asked for. */
  trigger: TriggerRun | null = null;
  /** Export and Packet lab runs, beside the main run (state/sideRuns.ts). */
  readonly side = new SideRuns();
  /** The verdict of the last lesson check (`startCheck`), once the agent has judged it. */
  verdict: ServerMessageOf<'verdict'> | null = null;
  private version = 0;
  /** Bumped only when something other than the streams changed (connection, run steps, notes). */
  private coarseVersion = 0;
  private coarseDirty = false;
  private readonly listeners = new Set<() => void>();
  private readonly notify: () => void;
  private runCounter = 0;

  constructor(
    schedule: (fn: () => void) => unknown,
    private readonly now: () => number,
    limits?: StreamLimits,
  ) {
    this.streams = new Streams(limits);
    this.notify = frameBatcher(schedule, () => {
      this.version++;
      if (this.coarseDirty) {
        this.coarseVersion++;
        this.coarseDirty = false;
      }
      for (const l of this.listeners) l();
    });
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Changes once per frame while output streams: for the panes that draw streams. */
  getVersion = (): number => this.version;

  /** Changes when the run or connection changed: for everything else, so it does not re-render per frame. */
  getCoarseVersion = (): number => this.coarseVersion;

  private changed(coarse: boolean): void {
    if (coarse) this.coarseDirty = true;
    this.notify();
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    if (state.kind === 'ready') this.hello = state.hello;
    // The agent ends a socket's runs when the socket drops (design: resources die with the session).
    if (state.kind !== 'ready' && state.kind !== 'handshake' && this.run && isActive(this.run)) {
      this.run = { ...this.run, state: 'stopped', stoppedAt: this.now() };
      this.note('error', 'connection to the agent was lost; the agent stops a run when its socket closes');
    }
    this.changed(true);
  }

  note(level: AgentNote['level'], text: string): void {
    this.notes = [...this.notes.slice(-(MAX_NOTES - 1)), { t: this.now(), level, text }];
    this.changed(true);
  }

  /** Build the `run` message and reset the run's view. */
  startRun(snippet: Snippet, options: RunOptions): ClientMessage {
    const runId = this.resetRun(options.durationSec ?? 0, options.mode ?? 'run', snippet, options.targets ?? []);
    return { type: 'run', runId, snippet, options };
  }

  /**
   * Build a `lesson-check` message (a room's Check button): a run like any other on the page,
   * whose outcome is the agent's `verdict`. The lesson sets its own run time (its `within`).
   */
  startCheck(lesson: string, snippet: Snippet): ClientMessage {
    const runId = this.resetRun(0, 'run', snippet, []);
    return { type: 'lesson-check', runId, lesson, snippet, options: { eventFormat: 'binary' } };
  }

  private resetRun(
    durationSec: number,
    mode: NonNullable<RunOptions['mode']>,
    snippet: Snippet,
    targets: readonly string[],
  ): string {
    const runId = `r${Date.now().toString(36)}-${++this.runCounter}`;
    this.run = newRun(runId, this.now(), durationSec, mode, snippet.files, targets);
    this.verdict = null;
    this.streams.reset();
    this.changed(true);
    return runId;
  }

  /** An Export or a Packet lab test run: its own run id, the main run's output stays. */
  startSide(kind: SideKind, snippet: Snippet, options: RunOptions): ClientMessage {
    const m = this.side.start(kind, snippet, options);
    this.changed(true);
    return m;
  }

  /** Start uploading a BTF file; the message to send, or why it cannot be sent. */
  uploadBtf(
    fileName: string,
    bytes: Uint8Array,
  ): { ok: true; name: string; message: ClientMessage } | { ok: false; error: string } {
    const r = this.uploads.add(fileName, bytes);
    this.changed(true);
    return r;
  }

  /** Forget an upload (the agent keeps its copy until the session ends; runs stop naming it). */
  removeUpload(name: string): void {
    this.uploads.remove(name);
    this.changed(true);
  }

  /** The uploads to send again on a new agent session (they die with the old one). */
  resendUploads(): ClientMessage[] {
    const out = this.uploads.resend();
    if (out.length) this.changed(true);
    return out;
  }

  /** Ask the agent to run an example's own trigger (meta.json's, on the agent's side). */
  triggerMessage(example: string): ClientMessage {
    this.trigger = { example, result: null, error: null };
    this.changed(true);
    return { type: 'trigger', example };
  }

  stopMessage(): ClientMessage | null {
    if (!this.run || !isActive(this.run)) return null;
    return { type: 'stop', runId: this.run.runId };
  }

  /** The run could not be sent (socket closed): end it locally with the reason. */
  abandonRun(reason: string): void {
    if (this.run) this.run = { ...this.run, state: 'stopped', stoppedAt: this.now() };
    this.note('error', reason);
  }

  /** Rows of one event source, made by the inbox from the agent's events frames. */
  rows(b: RowBatch): void {
    if (this.side.owns(b.runId)) return; // a Packet lab run's ring buffer records: not the main run's
    if (this.run && b.runId !== this.run.runId) return; // output of an older run
    const first = (this.streams.sources.get(b.source)?.received ?? 0) === 0;
    this.streams.rows(b);
    this.changed(first);
  }

  handle(m: ServerMessage): void {
    if (this.side.handle(m)) return this.changed(true);
    const forRun = 'runId' in m && typeof m.runId === 'string' ? m.runId : null;
    if (forRun !== null && this.run && forRun !== this.run.runId) return; // output of an older run
    switch (m.type) {
      // Events reach the page as rows (see rows()); the inbox never hands over an events message.
      case 'events':
        return;
      // A stream's first frame is news for the whole page (which pane to show); the rest is not.
      case 'printk': {
        const first = this.streams.printk.total === 0;
        this.streams.printkLines(m);
        this.changed(first);
        return;
      }
      case 'maps': {
        const first = this.streams.maps === null;
        this.streams.mapsSnapshot(m);
        this.changed(first);
        return;
      }
      case 'schema':
        this.streams.schema(m);
        if (this.run) this.run = runReducer(this.run, m, this.now());
        break;
      case 'hello':
        this.hello = m;
        break;
      case 'params':
        this.params = m.params;
        break;
      case 'pong':
        break;
      case 'verdict':
        this.verdict = m;
        break;
      case 'btf-uploaded':
        this.uploads.uploaded(m);
        break;
      case 'triggered':
        if (this.trigger?.example === m.example) this.trigger = { ...this.trigger, result: m };
        break;
      case 'warning':
      case 'error':
        // Kept in the log as well: the claim is by order, not by name (the error does not say).
        if (m.type === 'error') this.uploads.failed(m);
        // The agent's answer to a trigger it would not run (the frame names no run).
        if (m.type === 'error' && m.runId === undefined && this.trigger && !this.trigger.result && !this.trigger.error)
          this.trigger = { ...this.trigger, error: m.message };
        if (m.runId === undefined || !this.run) {
          this.note(
            m.type === 'warning' ? 'warn' : 'error',
            m.type === 'warning' ? m.message : `${m.code}: ${m.message}`,
          );
          break;
        }
        this.run = runReducer(this.run, m, this.now());
        break;
      default:
        if (isRunFrame(m) && this.run) this.run = runReducer(this.run, m, this.now());
    }
    this.changed(true);
  }
}
