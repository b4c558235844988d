'use client';

import type { RunView } from '../../state/run';
import { runProblem, type EditorMarker } from '../../state/markers';

/** Every diagnostic, refusal and verifier failure as a list; a click puts the cursor on the line. */
export function ProblemsPane({
  run,
  onFiles,
  elsewhere,
  onJump,
}: {
  run: RunView | null;
  onFiles: EditorMarker[];
  elsewhere: EditorMarker[];
  onJump(file: string, line: number): void;
}) {
  const all = [...onFiles, ...elsewhere];
  const failed = run ? runProblem(run) : null;
  return (
    <div className="pane scroll-y" data-testid="pane-problems">
      {failed && (
        <p className="problem problem-error run-problem" data-testid="run-problem">
          {failed}
        </p>
      )}
      {all.length === 0 && !failed && (
        <p className="empty">
          {run?.compiled
            ? 'No problems.'
            : 'Compiler errors, policy refusals and verifier failures appear here and on their lines in the editor.'}
        </p>
      )}
      <ul className="problems">
        {all.map((m, i) => (
          <li
            key={i}
            className={`problem problem-${m.severity} ${m.stale ? 'problem-stale' : ''}`}
            data-testid="problem"
            data-stale={m.stale ? 'true' : undefined}
          >
            <button className="link mono" onClick={() => onJump(m.file, m.line)} disabled={!onFiles.includes(m)}>
              {m.file}:{m.line}:{m.col}
            </button>
            <span className={`sev sev-${m.severity}`}>{m.source === 'clang' ? m.severity : m.source}</span>
            <span className="msg">{m.message.split('\n')[0]}</span>
            {m.stale && <span className="muted small">(changed since this run)</span>}
          </li>
        ))}
      </ul>
      {run?.compiled && run.compiled.output.trim() !== '' && (
        <details open={!run.compiled.ok && all.length === 0}>
          <summary>clang output</summary>
          <pre className="mono small">{run.compiled.output}</pre>
        </details>
      )}
    </div>
  );
}
