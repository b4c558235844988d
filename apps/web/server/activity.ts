import {
  endedWell,
  type ClientMessage,
  type Diagnostic,
  type LearnerActivity,
  type ServerMessage,
} from '@bpfplay/protocol';

/**
 * What a learner is doing, read off their own agent session by the relay (never reported by the
 * learner's page, which could say anything): the instructor's roster shows it. One tracker per
 * learner connection; `sent` and `received` return the new activity when it changed.
 */
export class ActivityTracker {
  /** Runs of this session that are lesson checks, by runId: their outcome is the verdict, not `stopped`. */
  private readonly checks = new Map<string, string>();
  /** Runs that already failed with a reason in the agent's words (compiler, verifier, policy). */
  private readonly failed = new Set<string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  sent(m: ClientMessage): LearnerActivity | null {
    if (m.type === 'lesson-check') {
      this.checks.set(m.runId, m.lesson);
      return this.make('compiling', undefined, m.lesson);
    }
    if (m.type === 'run') return this.make('compiling');
    return null;
  }

  /** A run the relay holds in its admission line: the agent is full. */
  queued(runId: string, position: number): LearnerActivity {
    return this.make('queued', `waiting for the agent: ${ordinal(position)} in line`, this.checks.get(runId));
  }

  /** A run stopped while it waited in the admission line. */
  leftLine(runId: string, why: string): LearnerActivity {
    this.checks.delete(runId);
    return this.make('finished', why);
  }

  received(m: ServerMessage): LearnerActivity | null {
    const runId = 'runId' in m && typeof m.runId === 'string' ? m.runId : undefined;
    const lesson = runId === undefined ? undefined : this.checks.get(runId);
    switch (m.type) {
      case 'status':
        if (m.target !== undefined) return null;
        if (m.state === 'queued') return this.make('queued', m.message, lesson);
        if (m.state === 'compiling') return this.make('compiling', undefined, lesson);
        return null;
      case 'attached':
        return m.links.some((l) => l.ok) ? this.make('running', undefined, lesson) : null;
      case 'compiled':
        if (m.ok) return null;
        if (runId !== undefined) this.failed.add(runId);
        return this.make('failed', `compile error: ${firstError(m.diagnostics) ?? 'see the output'}`, lesson);
      case 'refused':
        if (runId !== undefined) this.failed.add(runId);
        return this.make('failed', `refused: ${m.violations[0]?.message ?? 'by the policy'}`, lesson);
      case 'verifier':
        if (m.ok) return null;
        if (runId !== undefined) this.failed.add(runId);
        return this.make('failed', `verifier: ${m.failure?.reason ?? 'refused the program'}`, lesson);
      case 'verdict':
        if (runId !== undefined) {
          this.checks.delete(runId);
          this.failed.delete(runId);
        }
        return m.passed ? this.make('passed', undefined, m.lesson) : this.make('failed', m.summary, m.lesson);
      case 'stopped': {
        // A check's outcome is its verdict (which follows); the failure frames above already said why.
        if (m.target !== undefined || lesson !== undefined) return null;
        // Already failed with the compiler's or verifier's own words: `stopped` would only repeat it.
        if (runId !== undefined && this.failed.delete(runId)) return null;
        if (endedWell(m.reason)) return this.make('finished');
        return this.make('failed', `${m.reason}: ${m.message}`);
      }
      case 'error':
        // An answer to a run that never started (a quota, a bad snippet): the learner's try failed.
        if (runId === undefined) return null;
        this.checks.delete(runId);
        this.failed.delete(runId);
        return this.make('failed', `${m.code}: ${m.message}`, lesson);
      default:
        return null;
    }
  }

  private make(state: LearnerActivity['state'], reason?: string, lesson?: string): LearnerActivity {
    return {
      state,
      ...(reason !== undefined ? { reason: reason.slice(0, 300) } : {}),
      ...(lesson !== undefined ? { lesson } : {}),
      at: this.now().toISOString(),
    };
  }
}

function firstError(ds: Diagnostic[]): string | undefined {
  const d = ds.find((x) => x.severity === 'error') ?? ds[0];
  return d && `${d.file}:${d.line}: ${d.message}`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
