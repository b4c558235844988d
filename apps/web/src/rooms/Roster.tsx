'use client';

import type { RoomServerMessageOf, RosterEntry } from '@bpfplay/protocol';

type Roster = RoomServerMessageOf<'roster'>;

const STATE_WORDS: Record<RosterEntry['activity']['state'], string> = {
  joined: 'joined',
  editing: 'editing',
  queued: 'waiting for the agent',
  compiling: 'compiling',
  running: 'running',
  finished: 'ran',
  failed: 'failed',
  passed: 'passed',
};

/** One row per learner: what they do now and why it failed, the lessons they passed, and the instructor's two actions. */
export function Roster({
  roster,
  onView,
  onStop,
}: {
  roster: Roster;
  onView(id: string): void;
  onStop(id: string): void;
}) {
  const index = new Map(roster.track.map((l) => [l.id, l.index]));
  const lessonWord = (id: string | undefined) => (id && index.has(id) ? ` lesson ${index.get(id)}` : '');
  const withNodes = roster.learners.some((l) => l.node !== undefined);
  if (!roster.learners.length) return <p className="muted">No one has joined yet. Read out the join code.</p>;
  return (
    <table className="room-roster" data-testid="roster">
      <thead>
        <tr>
          <th>Learner</th>
          <th>Now</th>
          <th>Why / detail</th>
          <th>Passed</th>
          {withNodes && <th>Node</th>}
          <th />
        </tr>
      </thead>
      <tbody>
        {roster.learners.map((l) => {
          const busy = ['queued', 'compiling', 'running'].includes(l.activity.state);
          return (
            <tr
              key={l.id}
              data-testid="roster-row"
              data-learner={l.name}
              data-state={l.activity.state}
              className={l.online ? '' : 'offline'}
            >
              <td>
                {l.name}
                {!l.online && <span className="muted"> (away)</span>}
              </td>
              <td className={`state state-${l.activity.state}`}>
                {STATE_WORDS[l.activity.state]}
                {l.activity.state === 'passed' || l.activity.state === 'failed' ? lessonWord(l.activity.lesson) : ''}
              </td>
              <td className="reason" data-testid="reason">
                {l.activity.reason ?? ''}
              </td>
              <td>{l.passed.map((p) => index.get(p) ?? p).join(', ')}</td>
              {withNodes && <td>{l.node ?? ''}</td>}
              <td className="row-actions">
                <button
                  className="btn-small"
                  onClick={() => onView(l.id)}
                  disabled={!l.hasCode}
                  data-testid="view-code"
                >
                  Code
                </button>
                <button className="btn-small" onClick={() => onStop(l.id)} disabled={!busy} data-testid="stop-learner">
                  Stop
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
