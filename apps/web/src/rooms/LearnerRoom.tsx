'use client';

import { useEffect, useMemo, useState } from 'react';
import type { RoomInfo } from '@bpfplay/protocol';
import { browserStore } from '../state/kvStore';
import { joinRoom, roomInfo } from './roomApi';
import { loadRoom, saveRoom, type SavedRoom } from './roomCredentials';
import { LearnerWorkspace } from './LearnerWorkspace';

/**
 * /rooms/<id>: a learner joins with the room's code and a display name (no account); the
 * credential the server answers with stays in this browser, so a reload or a lost connection
 * comes back as the same learner.
 */
export function LearnerRoom({ roomId }: { roomId: string }) {
  const kv = useMemo(() => browserStore(), []);
  const [saved, setSaved] = useState<SavedRoom | null>(null);
  useEffect(() => setSaved(loadRoom(kv, roomId)), [kv, roomId]);
  const update = (fn: (s: SavedRoom) => SavedRoom) =>
    setSaved((s) => {
      if (!s) return s;
      const next = fn(s);
      saveRoom(kv, roomId, next);
      return next;
    });

  if (!saved) return <main className="room-page">Loading…</main>;
  if (!saved.learner) return <JoinForm roomId={roomId} onJoined={(learner) => update((s) => ({ ...s, learner }))} />;
  return (
    <LearnerWorkspace
      roomId={roomId}
      saved={saved}
      update={update}
      leave={() => update(({ learner: _l, ...rest }) => rest)}
    />
  );
}

function JoinForm({
  roomId,
  onJoined,
}: {
  roomId: string;
  onJoined(l: { id: string; key: string; name: string }): void;
}) {
  const [info, setInfo] = useState<RoomInfo | null>(null);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void roomInfo(roomId).then((r) => (r.ok ? setInfo(r.value) : setError(r.error)));
  }, [roomId]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await joinRoom(roomId, { code, name });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onJoined({ id: r.value.learnerId, key: r.value.learnerKey, name: r.value.name });
  };
  return (
    <main className="room-page room-join">
      <h1>{info ? `Join “${info.name}”` : 'Join a workshop room'}</h1>
      {info?.expired && <p className="room-error">This room has ended.</p>}
      <form onSubmit={submit} className="room-form">
        <label>
          Join code (on the instructor&apos;s screen)
          <input value={code} onChange={(e) => setCode(e.target.value)} required name="code" autoComplete="off" />
        </label>
        <label>
          Your name, as others will see it
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={40} name="name" />
        </label>
        <button type="submit" disabled={busy || info?.expired === true}>
          Join
        </button>
        {error && (
          <p className="room-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
