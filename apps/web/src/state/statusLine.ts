import { endedWell } from '@bpfplay/protocol';
import { failureOf, type RunView } from './run';
import { formatMs, plural } from './format';

export type StepTone = 'done' | 'active' | 'error' | 'muted';
export interface StatusChip {
  key: string;
  label: string;
  tone: StepTone;
}

/**
 * The status line: each step of the run with its time, e.g.
 * `compiled 0.18 s → loaded 2 programs 13 ms → attached 2 programs → running 12 s / 60 s → stopped: timeout`.
 */
export function statusChips(run: RunView, now: number): StatusChip[] {
  const chips: StatusChip[] = [];
  const stopped = run.stopped !== null;
  if (run.state === 'sent') chips.push({ key: 'sent', label: 'sent to agent…', tone: 'active' });
  if (run.state === 'queued')
    chips.push({
      key: 'queued',
      label: `queued${run.queuePosition !== null ? ` (#${run.queuePosition})` : ''}`,
      tone: 'active',
    });

  if (run.compiled) {
    const c = run.compiled;
    const errors = c.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal').length;
    const warnings = c.diagnostics.filter((d) => d.severity === 'warning').length;
    chips.push(
      c.ok
        ? {
            key: 'compile',
            label: `compiled ${formatMs(c.durationMs)}${c.cache === 'hit' ? ' (cached)' : ''}${warnings ? `, ${plural(warnings, 'warning')}` : ''}`,
            tone: 'done',
          }
        : { key: 'compile', label: `compile failed: ${plural(errors || 1, 'error')}`, tone: 'error' },
    );
  } else if (run.steps.some((s) => s.state === 'compiling')) {
    chips.push({ key: 'compile', label: 'compiling…', tone: stopped ? 'muted' : 'active' });
  }

  if (run.refused && run.refused.violations.length > 0) {
    chips.push({
      key: 'policy',
      label: `refused: ${plural(run.refused.violations.length, 'violation')}`,
      tone: 'error',
    });
  }

  const rejected = run.verifier.filter((v) => !v.ok);
  if (run.loaded) {
    const n = run.loaded.programs.filter((p) => p.loaded).length;
    const skipped = run.loaded.programs.filter((p) => p.skipped).length;
    chips.push({
      key: 'load',
      label: `loaded ${plural(n, 'program')} ${formatMs(run.loaded.durationMs)}${skipped ? `, ${skipped} skipped` : ''}`,
      tone: 'done',
    });
  } else if (rejected.length > 0) {
    chips.push({ key: 'load', label: `verifier rejected ${rejected.map((v) => v.program).join(', ')}`, tone: 'error' });
  } else if (run.state === 'loading') {
    chips.push({ key: 'load', label: 'loading…', tone: 'active' });
  }

  if (run.attached) {
    const ok = run.attached.links.filter((l) => l.ok).length;
    const bad = run.attached.links.length - ok;
    chips.push({
      key: 'attach',
      label: `attached ${plural(ok, 'program')}${bad ? `, ${bad} failed` : ''}`,
      tone: bad && !ok ? 'error' : 'done',
    });
  } else if (run.state === 'attaching') {
    chips.push({ key: 'attach', label: 'attaching…', tone: 'active' });
  }

  if (run.runningSince !== null) {
    const elapsed = Math.max(0, (run.stoppedAt ?? now) - run.runningSince);
    const label = stopped
      ? `ran ${formatMs(elapsed)}`
      : `running ${Math.floor(elapsed / 1000)} s / ${run.durationSec} s`;
    chips.push({ key: 'run', label, tone: stopped ? 'done' : 'active' });
  }

  if (run.state === 'stopping' && !stopped) chips.push({ key: 'stopping', label: 'stopping…', tone: 'active' });
  if (run.stopped) {
    const s = run.stopped;
    const failed = !endedWell(s.reason);
    const failure = failed ? failureOf(run) : null;
    chips.push({
      key: 'stopped',
      label: `stopped: ${s.reason}${failure ? ` — ${failure}` : s.message ? ` — ${s.message}` : ''}`,
      tone: failed ? 'error' : 'muted',
    });
  }
  return chips;
}
