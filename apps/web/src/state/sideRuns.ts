import {
  endedWell,
  type ClientMessage,
  type RunOptions,
  type ServerMessage,
  type ServerMessageOf,
  type Snippet,
} from '@bpfplay/protocol';

/**
 * Runs the page starts beside the main one, without replacing its output: an Export (the agent's
 * `project` frame) and a Packet lab test run (its `test-run` frames). Each kind keeps only its latest
 * request; frames of older ones are dropped. Their ids start with `x` or `p`, never `r` (the main run's).
 */
export type SideKind = 'export' | 'test-run';

export interface SideRun {
  runId: string;
  state: 'sent' | 'running' | 'done';
  /** Why it ended without a result (compile error, refused, the agent's error), in the agent's words. */
  error: string | null;
  /** Compiler errors as `file:line:col: message`, when the compile failed. */
  diagnostics: string[];
  warnings: string[];
  project: ServerMessageOf<'project'> | null;
  tests: ServerMessageOf<'test-run'>[];
  printk: string[];
}

const PREFIX: Record<SideKind, string> = { export: 'x', 'test-run': 'p' };
const MODE: Record<SideKind, NonNullable<RunOptions['mode']>> = { export: 'export', 'test-run': 'test-run' };

export class SideRuns {
  readonly runs: Partial<Record<SideKind, SideRun>> = {};
  private counter = 0;

  /** The message to send, and the run's view reset to "sent". */
  start(kind: SideKind, snippet: Snippet, options: RunOptions): ClientMessage {
    const runId = `${PREFIX[kind]}${Date.now().toString(36)}-${++this.counter}`;
    this.runs[kind] = {
      runId,
      state: 'sent',
      error: null,
      diagnostics: [],
      warnings: [],
      project: null,
      tests: [],
      printk: [],
    };
    return { type: 'run', runId, snippet, options: { ...options, mode: MODE[kind] } };
  }

  /** Whether `runId` is one of ours (current or older): the main run's view must not see it. */
  owns(runId: string): boolean {
    return runId.startsWith('x') || runId.startsWith('p');
  }

  /** Apply a frame of a side run; false when it is not one. */
  handle(m: ServerMessage): boolean {
    const runId = 'runId' in m && typeof m.runId === 'string' ? m.runId : null;
    if (runId === null || !this.owns(runId)) return false;
    const kind = (Object.keys(this.runs) as SideKind[]).find((k) => this.runs[k]?.runId === runId);
    if (!kind) return true; // an older request's frame
    const r = this.runs[kind]!;
    const next: SideRun = { ...r };
    switch (m.type) {
      case 'status':
        if (r.state === 'sent') next.state = 'running';
        break;
      case 'compiled':
        if (!m.ok)
          next.diagnostics = m.diagnostics
            .filter((d) => d.severity === 'error' || d.severity === 'fatal')
            .map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
        break;
      case 'project':
        next.project = m;
        break;
      case 'test-run':
        next.tests = [...r.tests, m];
        break;
      case 'printk':
        next.printk = [...r.printk, ...m.lines.map((l) => l.text)].slice(-200);
        break;
      case 'warning':
        next.warnings = [...r.warnings, m.message];
        break;
      case 'error':
        next.error = m.message;
        next.state = 'done';
        break;
      case 'stopped':
        if (m.target !== undefined) break;
        next.state = 'done';
        if (!endedWell(m.reason)) next.error ??= m.message;
        break;
      default:
        break;
    }
    this.runs[kind] = next;
    return true;
  }
}
