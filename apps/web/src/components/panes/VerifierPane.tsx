'use client';

import { useEffect, useMemo, useRef } from 'react';
import type { ServerMessageOf, VerifierStats } from '@bpfplay/protocol';
import type { RunView } from '../../state/run';
import { formatCount } from '../../state/format';

type Verdict = ServerMessageOf<'verifier'>;

/**
 * The verifier's verdict per program. On failure: the plain reason first, the source line it
 * points at, then the log with the failing instruction highlighted. On success: its statistics.
 */
export function VerifierPane({
  run,
  onJump,
  stale = false,
}: {
  run: RunView | null;
  onJump(file: string, line: number): void;
  /** The snippet was edited since this run: its lines may have moved. */
  stale?: boolean;
}) {
  const verdicts = run?.verifier ?? [];
  const programs = run?.loaded?.programs ?? [];
  if (verdicts.length === 0 && programs.length === 0) {
    return (
      <div className="pane scroll-y" data-testid="pane-verifier">
        <p className="empty">
          {run
            ? run.state === 'stopped'
              ? 'The run stopped before the verifier ran.'
              : 'Waiting for the verifier…'
            : "The kernel verifier's verdict and log for each program appear here."}
        </p>
      </div>
    );
  }
  const failed = verdicts.filter((v) => !v.ok);
  const ok = verdicts.filter((v) => v.ok);
  return (
    <div className="pane scroll-y" data-testid="pane-verifier">
      {stale && (
        <p className="notice" data-testid="verifier-stale">
          The code changed since this run: the lines below may hold other code now. Run or Check again to see the
          verifier&apos;s verdict on what the editor shows.
        </p>
      )}
      {failed.map((v) => (
        <Failure key={v.program} v={v} onJump={onJump} />
      ))}
      {(ok.length > 0 || (failed.length === 0 && programs.length > 0)) && (
        <table className="grid">
          <thead>
            <tr>
              <th>program</th>
              <th>section</th>
              <th>insns</th>
              <th>processed</th>
              <th>states (peak)</th>
              <th>stack</th>
              <th>verify time</th>
            </tr>
          </thead>
          <tbody>
            {programs.map((p) => {
              const stats: VerifierStats | undefined = verdicts.find((v) => v.program === p.name)?.stats ?? p.stats;
              return (
                <tr key={p.name} data-testid={`verifier-ok-${p.name}`}>
                  <td>{p.name}</td>
                  <td className="mono">{p.section}</td>
                  <td>{p.insns}</td>
                  <td>
                    {p.skipped ? (
                      <span className="muted">skipped: {p.skipped}</span>
                    ) : stats?.insnsProcessed !== undefined ? (
                      `${formatCount(stats.insnsProcessed)}${stats.insnLimit ? ` / ${formatCount(stats.insnLimit)}` : ''}`
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {stats?.totalStates !== undefined ? `${stats.totalStates} (${stats.peakStates ?? '?'})` : '—'}
                  </td>
                  <td>{stats?.stackDepth ?? '—'}</td>
                  <td>{stats?.verificationTimeUs !== undefined ? `${stats.verificationTimeUs} µs` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {ok.map((v) => (
        <details key={v.program}>
          <summary>verifier log of {v.program}</summary>
          <Log text={v.log} highlight={null} truncated={v.truncated} />
        </details>
      ))}
    </div>
  );
}

function Failure({ v, onJump }: { v: Verdict; onJump(file: string, line: number): void }) {
  const f = v.failure;
  const highlight = useMemo(() => (f ? failingLogLine(v.log, f.message, f.insn) : null), [v.log, f]);
  return (
    <section className="verifier-failure" data-testid={`verifier-failure-${v.program}`}>
      <h4>The verifier rejected {v.program}</h4>
      <p className="reason" data-testid="verifier-reason">
        {f?.reason ?? 'no reason was extracted; read the log below'}
      </p>
      {f?.location && (
        <p>
          at{' '}
          <button
            className="link mono"
            onClick={() => onJump(f.location!.file, f.location!.line)}
            data-testid="verifier-location"
          >
            {f.location.file}:{f.location.line}
          </button>
          {f.sourceText && <code className="source-text">{f.sourceText.trim()}</code>}
        </p>
      )}
      {f?.insnText && (
        <p className="mono small">
          instruction {f.insn}: {f.insnText}
        </p>
      )}
      {f && <p className="mono small">kernel: {f.message}</p>}
      {f?.hint && <p className="hint">hint: {f.hint}</p>}
      <Log text={v.log} highlight={highlight} truncated={v.truncated} />
    </section>
  );
}

/** The log line to highlight: the last line equal to the verifier's error, else the failing instruction's line. */
export function failingLogLine(log: string, message: string, insn: number | undefined): number | null {
  const lines = log.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (message && lines[i]!.trim() === message.trim()) return i;
  if (insn !== undefined) {
    for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.startsWith(`${insn}: `)) return i;
  }
  return null;
}

function Log({ text, highlight, truncated }: { text: string; highlight: number | null; truncated: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => text.split('\n'), [text]);
  useEffect(() => {
    const el = ref.current;
    const hl = el?.querySelector<HTMLElement>('.log-hl');
    // Scroll only the log box: scrollIntoView would also scroll the page around it.
    if (el && hl) el.scrollTop = hl.offsetTop - el.clientHeight / 2;
  }, [highlight, text]);
  return (
    <div className="verifier-log mono" ref={ref} data-testid="verifier-log">
      {truncated && <div className="muted">[log truncated by the kernel: showing its tail]</div>}
      {lines.map((l, i) => (
        <div key={i} className={i === highlight ? 'log-hl' : undefined}>
          {l || '\u00a0'}
        </div>
      ))}
    </div>
  );
}
