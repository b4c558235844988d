'use client';

import dynamic from 'next/dynamic';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ROOM_LIMITS,
  type LessonContent,
  type RoomServerMessage,
  type RoomServerMessageOf,
  type Snippet,
} from '@bpfplay/protocol';
import { useAgent } from '../hooks/useAgent';
import type { EditorApi, RevealRequest } from '../editor/EditorView';
import { updateFile } from '../state/files';
import { STARTER_FILES } from '../examples/starter';
import { useRunMarkers } from '../hooks/useRunMarkers';
import { isActive } from '../state/run';
import type { EditorFile } from '../state/workspace';
import { roomSocketUrl } from './roomApi';
import { mergePassed, type SavedRoom } from './roomCredentials';
import { useRoomChannel } from './useRoomChannel';
import { Markdown } from './Markdown';
import { LearnerOutput } from './LearnerOutput';
import { learnerStatus } from './learnerStatus';
import { nodesLink } from './RoomAdmin';

const EditorView = dynamic(() => import('../editor/EditorView'), {
  ssr: false,
  loading: () => <div className="editor-host editor-loading">loading editor…</div>,
});

/** A Run in a room: long enough to watch output, short enough that a forgotten one frees its place. */
const ROOM_RUN_SECONDS = 30;

interface Props {
  roomId: string;
  saved: SavedRoom;
  update(fn: (s: SavedRoom) => SavedRoom): void;
  leave(): void;
}

/** One empty list while nothing is loaded, so the memos below do not recompute every render. */
const NO_FILES: EditorFile[] = [];

/**
 * A learner's page in a room: the lesson beside the editor, Run / Check / Stop, the verdict in
 * plain words and the output. The agent is reached through the web server's relay with the room
 * credential (never a token); the room channel brings the instructor's pushes, hints and the
 * lesson, and takes this learner's code for the instructor's read-only view.
 */
export function LearnerWorkspace({ roomId, saved, update, leave }: Props) {
  const learner = saved.learner!;
  const [loc, setLoc] = useState<{ protocol: string; host: string } | null>(null);
  useEffect(() => setLoc({ protocol: window.location.protocol, host: window.location.host }), []);
  const agent = useAgent(loc && roomSocketUrl(loc, roomId, 'agent', learner.id), learner.key);
  const { store, now } = agent;
  const [room, setRoom] = useState<RoomServerMessageOf<'room'> | null>(null);
  const roomRef = useRef<RoomServerMessageOf<'room'> | null>(null);
  const [lesson, setLesson] = useState<LessonContent | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; undo?: EditorFile[] } | null>(null);
  const [files, setFiles] = useState<EditorFile[] | null>(saved.files ?? null);
  const [active, setActive] = useState<string | null>(() => saved.files?.[0]?.name ?? null);
  const [revision, setRevision] = useState(0);
  const [reveal, setReveal] = useState<RevealRequest | null>(null);
  const editorApi = useRef<EditorApi | null>(null);
  const savedRef = useRef(saved);
  savedRef.current = saved;
  const filesRef = useRef(files);
  filesRef.current = files;

  /** Replace the editor's files (a push, a starter, a solution), keeping what was there for Undo. */
  const replaceFiles = useCallback((next: readonly EditorFile[], text: string) => {
    const before = filesRef.current;
    setFiles([...next]);
    setActive(next.find((f) => f.name.endsWith('.bpf.c'))?.name ?? next[0]?.name ?? null);
    setRevision((n) => n + 1);
    setNotice(before ? { text, undo: before } : { text });
  }, []);

  const onRoom = (m: RoomServerMessage) => {
    switch (m.type) {
      case 'room': {
        // Follow the instructor's lesson when it changes; otherwise keep the one the learner opened
        // (refreshed when it is the same lesson: solutions may have been unlocked).
        const old = roomRef.current;
        roomRef.current = m;
        setRoom(m);
        setLesson((shown) =>
          !old || old.lesson?.id !== m.lesson?.id || !shown || shown.id === m.lesson?.id ? m.lesson : shown,
        );
        update((s) => ({ ...s, passed: mergePassed(s.passed, m.you.passed) }));
        // A first visit starts from the lesson's starter (free play: the playground's own); a push
        // that follows (a latecomer gets the last one) replaces it.
        if (filesRef.current === null)
          replaceFiles(
            m.lesson?.starter ?? STARTER_FILES,
            m.lesson ? `lesson ${m.lesson.index}'s starter` : 'a first program',
          );
        setHint(m.settings.hint);
        return;
      }
      case 'push':
        if (savedRef.current.pushAt === m.at) return;
        update((s) => ({ ...s, pushAt: m.at }));
        return replaceFiles(m.snippet.files, `The instructor pushed ${m.label} into your editor.`);
      case 'hint':
        return setHint(m.text);
      case 'lesson':
        return setLesson(m.lesson);
      case 'error':
        return setNotice({ text: m.message });
      default:
        return;
    }
  };
  const channel = useRoomChannel(loc && roomSocketUrl(loc, roomId, 'learn', learner.id), learner.key, onRoom);

  // Code: saved in this browser at once, and sent to the room (the instructor's view) after a pause.
  const sendRef = useRef(channel.send);
  sendRef.current = channel.send;
  useEffect(() => {
    if (!files) return;
    update((s) => ({ ...s, files }));
    const t = window.setTimeout(
      () => sendRef.current({ type: 'code', snippet: { files } }),
      ROOM_LIMITS.codeDebounceMs,
    );
    return () => window.clearTimeout(t);
    // Only a change of the files: `update` is a new function at every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `update` is new at every render (see above)
  }, [files]);

  // A passing verdict is progress, kept locally as well as in the room.
  const verdict = store.verdict;
  useEffect(() => {
    if (verdict?.passed) update((s) => ({ ...s, passed: mergePassed(s.passed, [verdict.lesson]) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per verdict; `update` is new at every render
  }, [verdict]);

  const shownFiles = files ?? NO_FILES;
  const run = store.run;
  const { main, mainName, markers } = useRunMarkers(run, shownFiles);
  const running = isActive(run);
  const ready = store.connection.kind === 'ready';

  const snippetNow = (): Snippet | null => {
    if (!files || !('name' in main)) return null;
    return {
      files: files.map((f) => ({ name: f.name, content: editorApi.current?.currentText(f.name) ?? f.content })),
      main: main.name,
    };
  };
  const sendOrSay = (m: Parameters<typeof agent.send>[0]) => {
    if (!agent.send(m)) store.abandonRun('not connected to the agent: nothing was sent; it reconnects by itself');
  };
  const start = () => {
    const s = snippetNow();
    if (!s || running) return;
    sendOrSay(store.startRun(s, { durationSec: ROOM_RUN_SECONDS, mode: 'run', eventFormat: 'binary' }));
  };
  const check = () => {
    const s = snippetNow();
    if (!s || running || !lesson) return;
    sendOrSay(store.startCheck(lesson.id, s));
  };
  const stop = () => {
    const m = store.stopMessage();
    if (m) agent.send(m);
  };
  const jump = (file: string, line: number) => {
    setActive(file);
    setReveal({ file, line, nonce: Date.now() });
  };

  const status = learnerStatus(store.connection, channel.state, run, now);
  const passed = saved.passed;
  return (
    <div className="room-learner" data-testid="learner-room">
      <header className="room-bar">
        <strong>{room?.room.name ?? 'Workshop'}</strong>
        <span>{learner.name}</span>
        <span data-testid="progress">
          {passed.length} of {room?.track.length ?? '…'} lessons passed
        </span>
        <select
          aria-label="Lesson"
          value={lesson?.id ?? ''}
          onChange={(e) => channel.send({ type: 'open-lesson', lesson: e.target.value })}
        >
          {!lesson && <option value="">choose a lesson</option>}
          {room?.track.map((l) => (
            <option key={l.id} value={l.id}>
              {passed.includes(l.id) ? '✓ ' : ''}
              {l.index}. {l.title}
            </option>
          ))}
        </select>
        <span
          className={`room-status tone-${status.tone}`}
          data-testid="learner-status"
          data-state={store.connection.kind}
        >
          {status.text}
        </span>
        {room?.nodes && (
          <a
            href={nodesLink(roomId, learner.key, learner.id)}
            target="_blank"
            rel="noreferrer"
            data-testid="nodes-link"
          >
            {room.nodes.length === 1 ? `node ${room.nodes[0]}` : `${room.nodes.length} nodes`} ↗
          </a>
        )}
        {channel.state.kind === 'refused' && !channel.state.over && (
          <button onClick={leave} className="btn-small">
            Join again
          </button>
        )}
      </header>
      {hint && (
        <div className="room-hint" role="status" data-testid="hint">
          Hint from the instructor: {hint}
        </div>
      )}
      {notice && (
        <div className="room-notice" data-testid="notice">
          {notice.text}
          {notice.undo && (
            <button
              className="btn-small"
              onClick={() => (replaceFiles(notice.undo!, 'Your code is back.'), setNotice(null))}
            >
              Undo
            </button>
          )}
          <button className="btn-small" onClick={() => setNotice(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <div className="room-body">
        <aside className="room-lesson" data-testid="lesson">
          {lesson ? (
            <>
              <Markdown text={lesson.markdown} />
              <p className="muted">Needs: {[...lesson.needs.attach, ...lesson.needs.features].join(', ')}</p>
              <button
                className="btn-small"
                onClick={() => replaceFiles(lesson.starter, `lesson ${lesson.index}'s starter`)}
              >
                Start over from the starter
              </button>
              {lesson.solution && (
                <button
                  className="btn-small"
                  onClick={() => replaceFiles(lesson.solution!, `lesson ${lesson.index}'s solution`)}
                >
                  Use the solution
                </button>
              )}
            </>
          ) : (
            <p className="muted">No lesson yet: your instructor will start one, or pick one above.</p>
          )}
        </aside>
        <section className="room-editor">
          <div className="room-toolbar">
            <button onClick={start} disabled={!ready || running || !files} data-testid="run">
              Run
            </button>
            <button onClick={check} disabled={!ready || running || !files || !lesson} data-testid="check">
              Check
            </button>
            <button onClick={stop} disabled={!running} data-testid="stop">
              Stop
            </button>
            <span className="muted" data-testid="run-status">
              {status.run}
            </span>
          </div>
          {files && active !== null ? (
            <EditorView
              apiRef={editorApi}
              files={files}
              active={active}
              theme="dark"
              markers={markers.onFiles}
              reveal={reveal}
              highlight={null}
              onChange={(name, content) => setFiles((fs) => fs && updateFile(fs, name, content))}
              onCursorLine={() => {}}
              contentRevision={revision}
              mainFile={mainName}
              onRun={start}
              onCheck={check}
              onStop={stop}
            />
          ) : (
            <div className="editor-host editor-loading">waiting for the room…</div>
          )}
          <LearnerOutput store={store} markers={markers} onJump={jump} />
        </section>
      </div>
    </div>
  );
}
