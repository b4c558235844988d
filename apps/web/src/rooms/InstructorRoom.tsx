'use client';

import { useEffect, useMemo, useState } from 'react';
import type { RoomServerMessage, RoomServerMessageOf } from '@bpfplay/protocol';
import { browserStore } from '../state/kvStore';
import { roomSocketUrl } from './roomApi';
import { loadRoom, saveRoom } from './roomCredentials';
import { useRoomChannel } from './useRoomChannel';
import { Roster } from './Roster';
import { CodeViewer } from './CodeViewer';
import { RoomAdmin } from './RoomAdmin';

type Roster = RoomServerMessageOf<'roster'>;
type LearnerCode = RoomServerMessageOf<'learner-code'>;

/** Text sizes for a projector: the page scales with it (rem-based room styles). */
const FONT_SIZES = [14, 16, 18, 22, 26] as const;
const FONT_KEY = 'bpfplay:room-font';

/**
 * /rooms/<id>/teach: the live roster (each learner's state, reason, lessons passed; counts at the
 * top), and the instructor's actions: push a lesson step or a snippet, a hint, unlock solutions,
 * open a learner's code read-only, stop a learner's runs; the room's nodes, ending or deleting it
 * (RoomAdmin). The key comes in the link's fragment
 * (`#key=`), is kept in this browser and removed from the address bar.
 */
export function InstructorRoom({ roomId }: { roomId: string }) {
  const kv = useMemo(() => browserStore(), []);
  const [key, setKey] = useState<string | null>(null);
  const [loc, setLoc] = useState<{ protocol: string; host: string } | null>(null);
  const [roster, setRoster] = useState<Roster | null>(null);
  const [viewing, setViewing] = useState<LearnerCode | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [fontSize, setFontSize] = useState<number>(16);
  const [lesson, setLesson] = useState('');
  const [hint, setHint] = useState('');
  const [snippetOpen, setSnippetOpen] = useState(false);
  const [snippetName, setSnippetName] = useState('main.bpf.c');
  const [snippetText, setSnippetText] = useState('');

  useEffect(() => {
    setLoc({ protocol: window.location.protocol, host: window.location.host });
    const fromHash = /(?:^#|&)key=([^&]+)/.exec(window.location.hash)?.[1];
    const saved = loadRoom(kv, roomId);
    if (fromHash) {
      saveRoom(kv, roomId, { ...saved, instructorKey: decodeURIComponent(fromHash) });
      window.history.replaceState(window.history.state, '', window.location.pathname);
    }
    setKey(fromHash ? decodeURIComponent(fromHash) : (saved.instructorKey ?? ''));
    const f = Number(kv.get(FONT_KEY));
    if (FONT_SIZES.includes(f as (typeof FONT_SIZES)[number])) setFontSize(f);
  }, [kv, roomId]);

  const onMessage = (m: RoomServerMessage) => {
    if (m.type === 'roster') {
      setRoster(m);
      setLesson((l) => l || (m.settings.lesson ?? m.track[0]?.id ?? ''));
    } else if (m.type === 'learner-code') setViewing(m);
    else if (m.type === 'error') setNotice(m.message);
  };
  const channel = useRoomChannel(loc && key ? roomSocketUrl(loc, roomId, 'teach') : null, key || null, onMessage);
  const send = (m: unknown) => {
    if (!channel.send(m)) setNotice('not connected to the room: try again in a moment');
  };

  if (key === '')
    return (
      <main className="room-page">
        <h1>No instructor key</h1>
        <p>Open the instructor link you got when you created the room (it ends in #key=…).</p>
      </main>
    );
  const counts = roster?.counts;
  const current = roster?.track.find((l) => l.id === roster.settings.lesson);
  return (
    <div className="room-teach" style={{ fontSize: `${fontSize}px` }} data-testid="teach">
      <header className="room-bar">
        <strong>{roster?.room.name ?? 'Room'}</strong>
        {roster && (
          <span>
            Join code{' '}
            <strong className="join-code" data-testid="join-code">
              {roster.joinCode}
            </strong>{' '}
            at {loc ? `${loc.protocol}//${loc.host}/rooms/${roomId}` : ''}
          </span>
        )}
        <span
          className={`room-status tone-${channel.state.kind === 'open' ? 'muted' : 'error'}`}
          data-testid="teach-status"
        >
          {channel.state.kind === 'open'
            ? 'live'
            : channel.state.kind === 'connecting'
              ? 'connecting…'
              : `${channel.state.why}${channel.state.kind === 'retrying' ? ' — reconnecting' : ''}`}
        </span>
        <label className="room-font">
          Text size
          <select
            value={fontSize}
            onChange={(e) => {
              setFontSize(Number(e.target.value));
              kv.set(FONT_KEY, e.target.value);
            }}
          >
            {FONT_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}px
              </option>
            ))}
          </select>
        </label>
      </header>
      {counts && (
        <div className="room-counts" data-testid="counts">
          <span className="count passed" data-testid="count-passed">
            {counts.passed} passed{current ? ` lesson ${current.index}` : ''}
          </span>
          <span className="count failed" data-testid="count-failed">
            {counts.failed} failed
          </span>
          <span className="count running" data-testid="count-running">
            {counts.running} running
          </span>
          <span className="count online" data-testid="count-online">
            {counts.online} of {roster.learners.length} online
          </span>
        </div>
      )}
      {notice && (
        <div className="room-notice">
          {notice}{' '}
          <button className="btn-small" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      <div className="room-actions">
        <label>
          Lesson
          <select value={lesson} onChange={(e) => setLesson(e.target.value)} data-testid="lesson-select">
            {roster?.track.map((l) => (
              <option key={l.id} value={l.id}>
                {l.index}. {l.title}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => lesson && send({ type: 'push-lesson', lesson })} data-testid="push-lesson">
          Push lesson step to everyone
        </button>
        <label>
          <input
            type="checkbox"
            checked={roster?.settings.solutionsUnlocked ?? false}
            onChange={(e) => send({ type: 'unlock', unlocked: e.target.checked })}
            data-testid="unlock"
          />{' '}
          Solutions unlocked
        </label>
        <button onClick={() => setSnippetOpen((o) => !o)} data-testid="open-push-snippet">
          Push a snippet…
        </button>
        <form
          className="room-hint-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (hint.trim()) send({ type: 'hint', text: hint.trim() });
            setHint('');
          }}
        >
          <input
            value={hint}
            onChange={(e) => setHint(e.target.value)}
            placeholder="A hint for everyone"
            maxLength={500}
            data-testid="hint-input"
          />
          <button type="submit">Send hint</button>
          {roster?.settings.hint && (
            <button type="button" onClick={() => send({ type: 'clear-hint' })}>
              Clear hint
            </button>
          )}
        </form>
      </div>
      {roster && key && <RoomAdmin roster={roster} roomId={roomId} instructorKey={key} send={send} />}
      {snippetOpen && (
        <form
          className="room-snippet-form"
          onSubmit={(e) => {
            e.preventDefault();
            send({ type: 'push-snippet', snippet: { files: [{ name: snippetName, content: snippetText }] } });
            setSnippetOpen(false);
          }}
        >
          <input
            value={snippetName}
            onChange={(e) => setSnippetName(e.target.value)}
            aria-label="File name"
            data-testid="snippet-name"
          />
          <textarea
            value={snippetText}
            onChange={(e) => setSnippetText(e.target.value)}
            rows={12}
            spellCheck={false}
            data-testid="snippet-text"
          />
          <button type="submit" data-testid="push-snippet">
            Push to everyone (replaces their code; they can undo)
          </button>
        </form>
      )}
      <div className="room-teach-body">
        {roster ? (
          <Roster
            roster={roster}
            onView={(id) => send({ type: 'view', learner: id })}
            onStop={(id) => send({ type: 'stop', learner: id })}
          />
        ) : (
          <p className="muted">Waiting for the room…</p>
        )}
        {viewing && <CodeViewer code={viewing} onClose={() => setViewing(null)} />}
      </div>
    </div>
  );
}
