import type { ClientMessage, RunOptions, ServerMessage, Snippet } from '@bpfplay/protocol';
import type { ConnectionState, Hello } from './connection';
import { initialConnection } from './connection';
import { frameBatcher } from './batch';
import { isActive, isRunMessage, newRun, runReducer, type RunView } from './run';
import { Streams, type StreamLimits } from './streams';

export interface AgentNote {
  t: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export const MAX_NOTES = 200;

/**
 * What the page knows about the agent and the current run, as one external store for React
 * (`useSyncExternalStore(session.subscribe, session.getVersion)`). Messages are applied at once;
 * listeners are told at most once per animation frame.
 */
export class Session {
  connection: ConnectionState = initialConnection;
  hello: Hello | null = null;
  run: RunView | null = null;
  readonly streams: Streams;
  /** Agent-level warnings/errors and protocol problems not tied to a run. */
  notes: AgentNote[] = [];
  private version = 0;
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
      for (const l of this.listeners) l();
    });
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  setConnection(state: ConnectionState): void {
    this.connection = state;
    if (state.kind === 'ready') this.hello = state.hello;
    // The agent ends a socket's runs when the socket drops (design: resources die with the session).
    if (state.kind !== 'ready' && state.kind !== 'handshake' && this.run && isActive(this.run)) {
      this.run = { ...this.run, state: 'stopped', stoppedAt: this.now() };
      this.note('error', 'connection to the agent was lost; the agent stops a run when its socket closes');
    }
    this.notify();
  }

  note(level: AgentNote['level'], text: string): void {
    this.notes = [...this.notes.slice(-(MAX_NOTES - 1)), { t: this.now(), level, text }];
    this.notify();
  }

  /** Build the `run` message and reset the run's view. */
  startRun(snippet: Snippet, options: RunOptions): ClientMessage {
    const runId = `r${Date.now().toString(36)}-${++this.runCounter}`;
    this.run = newRun(runId, this.now(), options.durationSec ?? 0, options.mode ?? 'run');
    this.streams.reset();
    this.notify();
    return { type: 'run', runId, snippet, options };
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

  handle(m: ServerMessage): void {
    const forRun = 'runId' in m && typeof m.runId === 'string' ? m.runId : null;
    if (forRun !== null && this.run && forRun !== this.run.runId) return; // output of an older run
    switch (m.type) {
      case 'events':
        this.streams.events(m);
        break;
      case 'printk':
        this.streams.printkLines(m);
        break;
      case 'maps':
        this.streams.mapsSnapshot(m);
        break;
      case 'schema':
        this.streams.schema(m);
        if (this.run) this.run = runReducer(this.run, m, this.now());
        break;
      case 'hello':
        this.hello = m;
        break;
      case 'pong':
      case 'btf-uploaded':
        break;
      case 'warning':
      case 'error':
        if (m.runId === undefined || !this.run) {
          this.note(m.type === 'warning' ? 'warn' : 'error', m.type === 'warning' ? m.message : `${m.code}: ${m.message}`);
          break;
        }
        this.run = runReducer(this.run, m, this.now());
        break;
      default:
        if (isRunMessage(m) && this.run) this.run = runReducer(this.run, m, this.now());
    }
    this.notify();
  }
}
