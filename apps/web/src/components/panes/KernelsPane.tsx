'use client';

import { endedWell } from '@bpfplay/protocol';
import type { RunView } from '../../state/run';
import type { Streams } from '../../state/streams';
import type { Hello } from '../../state/socket/connectionState';
import { formatCount, formatTimestamp } from '../../state/format';
import {
  differenceCounts,
  relocationRows,
  runTargetChoices,
  verifierSummary,
  type RelocationRow,
  type TargetView,
} from '../../state/targets';

export interface KernelsPaneProps {
  hello: Hello | null;
  run: RunView | null;
  streams: Streams;
  /** The targets the next Run names (kept with the snippet). */
  picked: string[];
  onToggle(name: string, on: boolean): void;
  /** Re-render with the streams. */
  version: number;
}

/** Output lines shown per column: the newest, the Console and Events panes have everything. */
const SHOWN_LINES = 40;

/**
 * The kernel matrix: one compiled object run on several kernels side by side. A column per target
 * of the last run (its state, verifier result, CO-RE values with those that differ from the host
 * highlighted, and its output); the picker above names the next run's targets.
 */
export function KernelsPane(p: KernelsPaneProps) {
  const choices = runTargetChoices(p.hello);
  const run = p.run;
  const targets = run?.targets ?? [];
  const rows = relocationRows(run?.core ?? null, targets);
  const diffs = differenceCounts(rows);
  const accel = p.hello?.capabilities.guestAccel;
  return (
    <div className="pane" data-testid="pane-kernels">
      <div className="pane-bar kernel-picker" data-testid="kernel-picker">
        <span className="muted">Run on:</span>
        {choices.map((c) => (
          <label key={c.name} className="core-target" title={c.detail}>
            <input
              type="checkbox"
              checked={p.picked.includes(c.name)}
              onChange={(e) => p.onToggle(c.name, e.target.checked)}
              data-testid={`run-target-${c.name}`}
            />
            {c.name} <span className="muted small">{c.detail}</span>
          </label>
        ))}
        {accel && (
          <span className="muted small" title={accel.why}>
            guests: {accel.accel.toUpperCase()}
          </span>
        )}
      </div>
      <div className="scroll-y">
        {targets.length === 0 ? (
          <p className="empty">
            {choices.length > 1
              ? 'Pick kernels above and press Run: the same compiled object runs on each, side by side — the host directly, the others in throw-away microVMs.'
              : 'This agent offers no other kernels (run scripts/setup.sh on the agent to fetch the kernel matrix).'}
          </p>
        ) : (
          <div
            className="kernel-columns"
            style={{ gridTemplateColumns: `repeat(${targets.length}, minmax(16rem, 1fr))` }}
          >
            {targets.map((t) => (
              <TargetColumn
                key={t}
                view={run!.perTarget[t]}
                name={t}
                rows={rows}
                differing={diffs[t] ?? 0}
                streams={p.streams}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

function TargetColumn({
  view,
  name,
  rows,
  differing,
  streams,
}: {
  view: TargetView | undefined;
  name: string;
  rows: RelocationRow[];
  differing: number;
  streams: Streams;
}) {
  const out = streams.targets.get(name);
  const v = view ? verifierSummary(view) : null;
  const outcome = view?.outcome;
  const failed = outcome && !endedWell(outcome.reason);
  const lines = out
    ? Array.from({ length: Math.min(SHOWN_LINES, out.tail.length) }, (_, i) =>
        out.tail.at(out.tail.length - Math.min(SHOWN_LINES, out.tail.length) + i)!,
      )
    : [];
  return (
    <section className="kernel-column" data-testid={`kernel-col-${name}`} aria-label={`target ${name}`}>
      <h3 className="kernel-title">
        {name}{' '}
        <span className={`badge ${failed ? 'badge-error' : 'badge-muted'}`} data-testid={`kernel-state-${name}`}>
          {outcome ? `${outcome.reason}` : (view?.state ?? 'sent')}
        </span>
      </h3>
      {view?.stateMessage && !outcome && <p className="muted small">{view.stateMessage}</p>}
      {outcome && (
        <p className={failed ? 'error-text' : 'muted'} data-testid={`kernel-outcome-${name}`}>
          {outcome.message}
        </p>
      )}
      {view?.refused?.violations.map((x, i) => (
        <p key={i} className="error-text" data-testid={`kernel-refused-${name}`}>
          refused: {x.message}
        </p>
      ))}
      {view?.warnings.map((w, i) => (
        <p key={i} className="warn small" data-testid={`kernel-warning-${name}`}>
          {w}
        </p>
      ))}
      <p data-testid={`kernel-verifier-${name}`}>
        verifier:{' '}
        {v?.ok === null || !v ? (
          <span className="muted">—</span>
        ) : v.ok ? (
          <span className="ok">
            ✓ {v.programs} program{v.programs === 1 ? '' : 's'}, {formatCount(v.insns)} insns processed,{' '}
            {formatCount(v.states)} states
          </span>
        ) : (
          <span className="error-text">
            ✗ {view?.verifier.find((x) => !x.ok)?.failure?.reason ?? 'rejected (see the Verifier pane)'}
          </span>
        )}
      </p>
      {rows.length > 0 && (
        <>
          <p className="small">
            CO-RE: {rows.length} relocation{rows.length === 1 ? '' : 's'}
            {differing > 0 && <span className="warn"> · {differing} differ from the host</span>}
          </p>
          <table className="grid mono small kernel-core">
            <tbody>
              {rows.map((r, i) => {
                const c = r.cells.find((x) => x.target === name)!;
                return (
                  <tr
                    key={i}
                    className={c.differs ? 'core-differs' : ''}
                    data-testid={c.differs ? 'kernel-core-diff' : 'kernel-core'}
                    title={`${r.relocation.kind} ${r.relocation.typeName} (${r.relocation.program} · insn ${r.relocation.insn})`}
                  >
                    <td className="break">{r.relocation.access}</td>
                    <td className={c.ok ? '' : 'error-text'}>{c.text}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <p className="small">
        output: {formatCount(out?.printk ?? 0)} printk, {formatCount(out?.events ?? 0)} records
        {(out?.dropped ?? 0) > 0 && <span className="warn"> ({formatCount(out!.dropped)} dropped)</span>}
      </p>
      <div className="kernel-output mono small" data-testid={`kernel-output-${name}`}>
        {lines.map((l, i) => (
          <div key={i} className={l.kind === 'event' ? 'kernel-event' : 'kernel-printk'}>
            <span className="ts">{formatTimestamp(l.t)}</span> <span className="target-label">{name}</span> {l.text}
          </div>
        ))}
      </div>
    </section>
  );
}
