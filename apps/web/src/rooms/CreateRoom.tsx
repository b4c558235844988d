'use client';

import { useEffect, useState } from 'react';
import type { CreateRoomResponse, LessonSummary } from '@bpfplay/protocol';
import { browserStore } from '../state/kvStore';
import { createRoom, lessonTrack } from './roomApi';
import { loadRoom, saveRoom } from './roomCredentials';

/**
 * /rooms: an instructor names a room (and optionally its join code, expiry and first lesson) and
 * gets two links: the instructor's (with the key in its fragment, which never reaches a server
 * log) and the learners' (with the join code to read out).
 */
export function CreateRoom() {
  const [track, setTrack] = useState<LessonSummary[]>([]);
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [hours, setHours] = useState('');
  const [lesson, setLesson] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<CreateRoomResponse | null>(null);
  const [origin, setOrigin] = useState('');
  useEffect(() => {
    setOrigin(window.location.origin);
    void lessonTrack().then((r) => {
      if (!r.ok) return setError(`no lesson list: ${r.error}`);
      setTrack(r.value);
      setLesson((l) => l || (r.value[0]?.id ?? ''));
    });
  }, []);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const r = await createRoom({
      name,
      ...(code.trim() ? { joinCode: code.trim() } : {}),
      ...(hours.trim() ? { expiresInHours: Number(hours) } : {}),
      ...(lesson ? { lesson } : {}),
    });
    if (!r.ok) return setError(r.error);
    const kv = browserStore();
    saveRoom(kv, r.value.room.id, { ...loadRoom(kv, r.value.room.id), instructorKey: r.value.instructorKey });
    setMade(r.value);
  };

  if (made) {
    const learnerLink = `${origin}/rooms/${made.room.id}`;
    const teachLink = `${origin}/rooms/${made.room.id}/teach#key=${made.instructorKey}`;
    return (
      <main className="room-page room-create">
        <h1>Room “{made.room.name}” is ready</h1>
        <p>
          Join code:{' '}
          <strong className="join-code" data-testid="join-code">
            {made.joinCode}
          </strong>
        </p>
        <p>
          Learners open{' '}
          <a href={learnerLink} data-testid="learner-link">
            {learnerLink}
          </a>{' '}
          and type the code and their name.
        </p>
        <p>
          Your instructor link (keep it to yourself: it lets anyone teach this room):{' '}
          <a href={teachLink} data-testid="teach-link">
            {teachLink}
          </a>
        </p>
        {made.room.expiresAt && <p>The room ends at {new Date(made.room.expiresAt).toLocaleString()}.</p>}
      </main>
    );
  }
  return (
    <main className="room-page room-create">
      <h1>Start a workshop room</h1>
      <form onSubmit={submit} className="room-form">
        <label>
          Room name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} name="room-name" />
        </label>
        <label>
          Join code (optional; one is made for you)
          <input value={code} onChange={(e) => setCode(e.target.value)} maxLength={24} name="join-code" />
        </label>
        <label>
          Ends after (hours, optional)
          <input value={hours} onChange={(e) => setHours(e.target.value)} inputMode="decimal" name="expiry" />
        </label>
        <label>
          First lesson
          <select value={lesson} onChange={(e) => setLesson(e.target.value)} name="lesson">
            <option value="">none (free play)</option>
            {track.map((l) => (
              <option key={l.id} value={l.id}>
                {l.index}. {l.title}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Create room</button>
        {error && <p className="room-error">{error}</p>}
      </form>
    </main>
  );
}
