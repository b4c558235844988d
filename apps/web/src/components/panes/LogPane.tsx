'use client';

import { warningText, type RunView } from '../../state/run';
import type { AgentNote } from '../../state/agentStore';

/** What the agent and libbpf said, plus warnings and protocol problems, oldest first. */
export function LogPane({ run, notes }: { run: RunView | null; notes: AgentNote[] }) {
  const logs = run?.logs ?? [];
  return (
    <div className="pane scroll-y mono" data-testid="pane-log">
      {notes.length + logs.length + (run?.warnings.length ?? 0) + (run?.errors.length ?? 0) === 0 && (
        <p className="empty">Agent, libbpf and clang messages appear here.</p>
      )}
      {notes.map((n, i) => (
        <div key={`n${i}`} className={`log-line log-${n.level}`}>
          <span className="src">web</span> {n.text}
        </div>
      ))}
      {run?.warnings.map((w, i) => (
        <div key={`w${i}`} className="log-line log-warn" data-testid="run-warning">
          <span className="src">warning</span> {warningText(w)}
        </div>
      ))}
      {run?.errors.map((e, i) => (
        <div key={`e${i}`} className="log-line log-error">
          <span className="src">error</span> {e.code}: {e.message}
        </div>
      ))}
      {logs.map((l, i) => (
        <div key={i} className={`log-line log-${l.level}`}>
          <span className="src">{l.source}</span> {l.text}
        </div>
      ))}
    </div>
  );
}
