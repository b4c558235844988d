'use client';

import { useState } from 'react';
import { ROOM_LIMITS, type RoomServerMessageOf } from '@bpfplay/protocol';

type Roster = RoomServerMessageOf<'roster'>;

/** `/nodes` opened with a room credential in the fragment (no server log sees it): the node list and runs on nodes. */
export function nodesLink(roomId: string, token: string, learner?: string): string {
  const p = new URLSearchParams({ room: roomId, token, ...(learner ? { learner } : {}) });
  return `/nodes#${p}`;
}

/**
 * The instructor's room-wide choices: which nodes serve the room (when the web app has several,
 * issue 19) with a link to the node list, and ending or deleting the room. Ending and deleting
 * ask once more on the page itself (a browser dialog is easy to click through on a projector).
 */
export function RoomAdmin({
  roster,
  roomId,
  instructorKey,
  send,
}: {
  roster: Roster;
  roomId: string;
  instructorKey: string;
  send(m: unknown): void;
}) {
  const [confirm, setConfirm] = useState<'end' | 'delete' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const known = roster.knownNodes;
  const chosen = roster.settings.nodes;
  const serves = (n: string) => chosen === null || chosen.includes(n);
  const toggle = (n: string, on: boolean) => {
    const next = known!.filter((k) => (k === n ? on : serves(k)));
    if (next.length === 0) return setProblem('a room needs at least one node');
    setProblem(null);
    send({ type: 'set-nodes', nodes: next.length === known!.length ? null : next });
  };
  const ended = roster.room.expired;

  return (
    <div className="room-admin" data-testid="room-admin">
      {known ? (
        <fieldset className="room-nodes" data-testid="room-nodes">
          <legend>
            Nodes serving this room{' '}
            <a href={nodesLink(roomId, instructorKey)} target="_blank" rel="noreferrer" data-testid="nodes-link">
              node list ↗
            </a>
          </legend>
          {known.map((n) => (
            <label key={n}>
              <input
                type="checkbox"
                checked={serves(n)}
                disabled={ended}
                onChange={(e) => toggle(n, e.target.checked)}
                data-testid={`room-node-${n}`}
              />{' '}
              {n}
            </label>
          ))}
          <span className="muted" data-testid="room-nodes-summary">
            {chosen === null ? 'every node' : `only ${chosen.join(', ')}`}
          </span>
          {problem && <span className="error-text">{problem}</span>}
        </fieldset>
      ) : (
        <span className="muted">One agent serves this room.</span>
      )}
      <span className="room-end">
        {ended ? (
          <strong data-testid="room-ended">This room has ended: nobody can join or run.</strong>
        ) : (
          <button onClick={() => setConfirm('end')} data-testid="end-room">
            End room…
          </button>
        )}
        <button onClick={() => setConfirm('delete')} data-testid="delete-room">
          Delete room…
        </button>
        {confirm && (
          <span className="room-confirm" role="alert" data-testid="room-confirm">
            {confirm === 'end'
              ? `Learners are let go now and nobody can join; the roster and their code stay ${ROOM_LIMITS.keepEndedDays} days.`
              : "The room, its learners' names, progress and code are deleted now."}{' '}
            <button
              onClick={() => {
                send({ type: confirm });
                setConfirm(null);
              }}
              data-testid={`confirm-${confirm}`}
            >
              {confirm === 'end' ? 'End it now' : 'Delete it now'}
            </button>{' '}
            <button onClick={() => setConfirm(null)}>Cancel</button>
          </span>
        )}
      </span>
    </div>
  );
}
