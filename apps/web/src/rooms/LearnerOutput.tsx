'use client';

import { useState } from 'react';
import type { AgentStore } from '../state/agentStore';
import type { EditorMarker } from '../state/markers';
import { runProblem } from '../state/markers';
import { PANE_INTERVAL_MS, useThrottledStreamVersion } from '../hooks/useStreamVersion';
import { ConsolePane } from '../components/panes/ConsolePane';
import { ProblemsPane } from '../components/panes/ProblemsPane';
import { VerifierPane } from '../components/panes/VerifierPane';
import { EventsPane } from '../components/panes/EventsPane';

const PANES = [
  ['console', 'Console'],
  ['problems', 'Problems'],
  ['verifier', 'Verifier'],
  ['events', 'Events'],
] as const;
type Pane = (typeof PANES)[number][0];

/**
 * Below a learner's editor: the last check's verdict in plain words (every expectation, what was
 * planted), then the run's output in the playground's own panes.
 */
export function LearnerOutput({
  store,
  markers,
  onJump,
}: {
  store: AgentStore;
  markers: { onFiles: EditorMarker[]; elsewhere: EditorMarker[] };
  onJump(file: string, line: number): void;
}) {
  const [pane, setPane] = useState<Pane>('console');
  const version = useThrottledStreamVersion(store, PANE_INTERVAL_MS);
  const run = store.run;
  const verdict = store.verdict;
  const problem = run && run.stopped ? runProblem(run) : null;
  return (
    <div className="room-output">
      {verdict && (
        <div
          className={`room-verdict ${verdict.passed ? 'passed' : 'failed'}`}
          data-testid="verdict"
          data-passed={verdict.passed}
        >
          <strong>{verdict.passed ? 'Passed!' : 'Not yet.'}</strong> {verdict.summary}
          <ul>
            {verdict.expectations.map((e, i) => (
              <li key={i}>
                {e.ok ? '✓' : '✗'} {e.text}
                {e.detail && <span className="muted"> — {e.detail}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {!verdict && problem && (
        <p className="room-verdict failed" data-testid="run-problem">
          {problem}
        </p>
      )}
      <nav className="room-tabs">
        {PANES.map(([id, label]) => (
          <button key={id} className={pane === id ? 'active' : ''} onClick={() => setPane(id)}>
            {label}
          </button>
        ))}
      </nav>
      <div className="room-pane">
        {pane === 'console' && <ConsolePane streams={store.streams} run={run} version={version} />}
        {pane === 'problems' && (
          <ProblemsPane run={run} onFiles={markers.onFiles} elsewhere={markers.elsewhere} onJump={onJump} />
        )}
        {pane === 'verifier' && <VerifierPane run={run} onJump={onJump} />}
        {pane === 'events' && (
          <EventsPane streams={store.streams} version={version} running={run !== null && run.stopped === null} />
        )}
      </div>
    </div>
  );
}
