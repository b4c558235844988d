import type { RunOptions, RunState, ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { applyOutcomes, newTargetView, targetReducer, type TargetView } from './targets';

type M<T extends ServerMessage['type']> = ServerMessageOf<T>;

/** Messages that change the run's summary; the high-rate streams (events, printk, maps) go to streams.ts. */
export type RunFrame =
  | M<'status'>
  | M<'compiled'>
  | M<'refused'>
  | M<'loaded'>
  | M<'attached'>
  | M<'verifier'>
  | M<'core'>
  | M<'disasm'>
  | M<'schema'>
  | M<'iter'>
  | M<'log'>
  | M<'warning'>
  | M<'stopped'>
  | M<'error'>;

export interface RunStatusStep {
  state: RunState;
  /** Milliseconds since the agent received the run. */
  t: number;
  message?: string;
}

/** Everything the panes need to know about one run, except its streams. */
export interface RunView {
  runId: string;
  /** Client clock when Run was pressed. */
  startedAt: number;
  durationSec: number;
  mode: NonNullable<RunOptions['mode']>;
  state: RunState | 'sent';
  steps: RunStatusStep[];
  /** Client clock when the agent said `running`; drives the "running 12 s / 60 s" counter. */
  runningSince: number | null;
  queuePosition: number | null;
  compiled: M<'compiled'> | null;
  refused: M<'refused'> | null;
  loaded: M<'loaded'> | null;
  attached: M<'attached'> | null;
  verifier: M<'verifier'>[];
  core: M<'core'> | null;
  disasm: M<'disasm'> | null;
  schemas: M<'schema'>[];
  iter: Record<string, { text: string; done: boolean }>;
  logs: M<'log'>[];
  warnings: M<'warning'>[];
  stopped: M<'stopped'> | null;
  /** Client clock when `stopped` arrived. */
  stoppedAt: number | null;
  errors: M<'error'>[];
  /** The files as this run sent them: what its line numbers refer to (stale markers, staleFiles). */
  files: Record<string, string>;
  /** The run targets this run named (RunOptions.targets); empty: the agent's default, frames unlabelled. */
  targets: string[];
  /** Per named target, what its labelled frames said (the Kernels pane's columns). */
  perTarget: Record<string, TargetView>;
}

/** Agent log lines kept per run; libbpf can be chatty at debug level. */
export const MAX_LOG_LINES = 2000;
/** Iterator output kept per program (characters). */
export const MAX_ITER_CHARS = 1 << 20;

export function newRun(
  runId: string,
  now: number,
  durationSec: number,
  mode: NonNullable<RunOptions['mode']>,
  files: readonly { name: string; content: string }[] = [],
  targets: readonly string[] = [],
): RunView {
  return {
    targets: [...targets],
    perTarget: Object.fromEntries(targets.map((t) => [t, newTargetView(t)])),
    files: Object.fromEntries(files.map((f) => [f.name, f.content])),
    runId,
    startedAt: now,
    durationSec,
    mode,
    state: 'sent',
    steps: [],
    runningSince: null,
    queuePosition: null,
    compiled: null,
    refused: null,
    loaded: null,
    attached: null,
    verifier: [],
    core: null,
    disasm: null,
    schemas: [],
    iter: {},
    logs: [],
    warnings: [],
    stopped: null,
    stoppedAt: null,
    errors: [],
  };
}

export function isRunFrame(m: ServerMessage): m is RunFrame {
  switch (m.type) {
    case 'status':
    case 'compiled':
    case 'refused':
    case 'loaded':
    case 'attached':
    case 'verifier':
    case 'core':
    case 'disasm':
    case 'schema':
    case 'iter':
    case 'log':
    case 'stopped':
      return true;
    case 'warning':
    case 'error':
      return m.runId !== undefined;
    default:
      return false;
  }
}

export function isActive(run: RunView | null): boolean {
  return run !== null && run.stopped === null && run.state !== 'stopped';
}

/** Fold one message of this run into its view. Messages of another run are ignored. */
export function runReducer(before: RunView, m: RunFrame, now: number): RunView {
  if (m.runId !== before.runId) return before;
  const target = 'target' in m ? m.target : undefined;
  let run = before;
  if (target !== undefined) {
    const view = targetReducer(run.perTarget[target] ?? newTargetView(target), m);
    run = { ...run, perTarget: { ...run.perTarget, [target]: view } };
    // One target ended, the others go on: the run ends with the final `stopped`, which names no target.
    if (m.type === 'stopped' || (m.type === 'status' && (m.state === 'stopping' || m.state === 'stopped'))) return run;
  }
  switch (m.type) {
    case 'status': {
      const step: RunStatusStep = {
        state: m.state,
        t: m.t,
        ...(m.message !== undefined ? { message: m.message } : {}),
      };
      return {
        ...run,
        state: m.state,
        steps: [...run.steps, step],
        queuePosition: m.state === 'queued' ? (m.queuePosition ?? null) : null,
        runningSince: m.state === 'running' && run.runningSince === null ? now : run.runningSince,
      };
    }
    case 'compiled':
      return { ...run, compiled: m };
    case 'refused':
      return { ...run, refused: m };
    case 'loaded':
      return { ...run, loaded: m };
    case 'attached':
      return { ...run, attached: m };
    case 'verifier':
      // One log per program (and target); a re-sent log replaces the earlier one.
      return {
        ...run,
        verifier: [...run.verifier.filter((v) => v.program !== m.program || v.target !== target), m],
      };
    case 'core':
      return { ...run, core: m };
    case 'disasm':
      return { ...run, disasm: m };
    case 'schema':
      return { ...run, schemas: [...run.schemas.filter((s) => s.source !== m.source), m] };
    case 'iter': {
      const prev = run.iter[m.program]?.text ?? '';
      const text = (prev + m.text).slice(-MAX_ITER_CHARS);
      return { ...run, iter: { ...run.iter, [m.program]: { text, done: m.done } } };
    }
    case 'log': {
      const logs = run.logs.length >= MAX_LOG_LINES ? [...run.logs.slice(-(MAX_LOG_LINES - 1)), m] : [...run.logs, m];
      return { ...run, logs };
    }
    case 'warning':
      return { ...run, warnings: [...run.warnings, m] };
    case 'stopped':
      return {
        ...run,
        stopped: m,
        stoppedAt: now,
        state: 'stopped',
        perTarget: m.targets ? applyOutcomes(run.perTarget, m.targets) : run.perTarget,
      };
    case 'error': {
      const errors = [...run.errors, m];
      // The agent refused the run before it began (busy, a quota, a snippet too big): no `stopped`
      // follows, so the run ends here; otherwise the page would wait on "sent to agent…" forever.
      if (run.state !== 'sent' || run.stopped) return { ...run, errors };
      const stopped: M<'stopped'> = {
        type: 'stopped',
        seq: m.seq,
        runId: run.runId,
        reason: m.code === 'quota' || m.code === 'busy' ? 'quota' : 'error',
        message: `the agent refused the run (${m.code}): ${m.message}`,
        durationMs: 0,
        stats: { events: 0, printk: 0, dropped: 0 },
      };
      return { ...run, errors, stopped, stoppedAt: now, state: 'stopped' };
    }
  }
}

/**
 * The files edited since the run was sent: its line numbers no longer point at the same code there,
 * so its markers are shown as stale until the next Run or Check replaces them.
 */
export function staleFiles(run: RunView | null, files: readonly { name: string; content: string }[]): Set<string> {
  const out = new Set<string>();
  if (!run) return out;
  for (const f of files) {
    const sent = run.files[f.name];
    if (sent !== undefined && sent !== f.content) out.add(f.name);
  }
  return out;
}

/** `program: message` for the Log pane. */
export function warningText(w: M<'warning'>): string {
  return w.program ? `${w.program}: ${w.message}` : w.message;
}

/** The run loaded an iterator program (SEC("iter/...")), or one has printed: it gets its own pane. */
export function hasIterator(run: RunView | null): boolean {
  if (!run) return false;
  return Object.keys(run.iter).length > 0 || (run.loaded?.programs.some((p) => p.kind === 'iter' && p.loaded) ?? false);
}

/** The run's failure, in one line, if it failed before running. */
export function failureOf(run: RunView): string | null {
  if (run.compiled && !run.compiled.ok) {
    const errs = run.compiled.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal');
    const first = errs[0];
    return first ? `compile error at ${first.file}:${first.line}:${first.col}: ${first.message}` : 'compile failed';
  }
  if (run.refused && run.refused.violations.length > 0) {
    const v = run.refused.violations[0]!;
    return `refused${v.location ? ` at ${v.location.file}:${v.location.line}` : ''}: ${v.message}`;
  }
  const bad = run.verifier.find((v) => !v.ok);
  if (bad) {
    const loc = bad.failure?.location;
    return `verifier rejected ${bad.program}${loc ? ` at ${loc.file}:${loc.line}` : ''}: ${bad.failure?.reason ?? 'see the Verifier pane'}`;
  }
  const refusal = run.errors.find((e) => e.code === 'busy' || e.code === 'quota');
  if (refusal && run.steps.length === 0) return `the agent said ${refusal.code}: ${refusal.message}`;
  const link = run.attached?.links.find((l) => !l.ok);
  if (link && run.stopped?.reason === 'attach-error') {
    const loc = link.location;
    return `${link.program}${loc ? ` at ${loc.file}:${loc.line}` : ''} could not attach: ${link.message ?? 'no reason given'}`;
  }
  return null;
}
