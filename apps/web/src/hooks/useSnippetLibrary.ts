'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { browserStore } from '../state/kvStore';
import {
  isEdited,
  loadLibrary,
  newSnippetId,
  record,
  removeEntry,
  saveLibrary,
  setStarter,
  snippetOf,
  UNREADABLE_LIBRARY_KEY,
  type Library,
  type LibraryEntry,
  type SnippetVersion,
} from '../state/snippetLibrary';
import type { Workspace } from '../state/workspace';
import type { WorkspaceAction } from '../state/workspaceActions';
import type { Example } from '../examples/types';
import { STARTER_FILES } from '../examples/starter';

/** Saving the list waits for a pause in typing, like the workspace's autosave. */
const SAVE_DELAY_MS = 500;

export interface ReplaceQuestion {
  /** What would replace the snippet, in words ("the execsnoop example", "a new snippet"). */
  what: string;
  /** The title of the snippet being replaced. */
  title: string;
  proceed(): void;
}

/**
 * The user's snippet list around the page's workspace: every edited snippet is kept (with versions),
 * New starts another, and anything that would replace edited code asks first (`replace`).
 */
export function useSnippetLibrary(o: {
  ws: Workspace | null;
  act(a: WorkspaceAction): void;
  /** The gallery, to tell an example as it was from one the user edited; null while it loads. */
  examples: Example[] | null;
  /** The title shown for the current snippet (the user's, the example's or "untitled snippet"). */
  title: string;
  /** The editor's text must be reloaded (the snippet was replaced). */
  contentReplaced(): void;
}) {
  const { ws, act, examples, title } = o;
  const [lib, setLib] = useState<Library | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [question, setQuestion] = useState<ReplaceQuestion | null>(null);
  const timer = useRef<number | null>(null);
  const snippet = ws?.snippet ?? null;

  // Every snippet has an id from the start: the list knows it by that.
  useEffect(() => {
    if (snippet && snippet.id === undefined) act({ type: 'snippet-identified', id: newSnippetId(Date.now()) });
  }, [snippet, act]);

  // Load once, when the workspace (with its id) is there.
  useEffect(() => {
    if (lib !== null || !snippet?.id) return;
    setStarter(STARTER_FILES);
    const r = loadLibrary(browserStore(), { ...snippet, id: snippet.id }, Date.now());
    setLib(r.library);
    if (r.kind === 'unreadable')
      setProblem(
        `My snippets started empty: ${r.reason}. The old list is kept in localStorage under ${UNREADABLE_LIBRARY_KEY}.`,
      );
  }, [lib, snippet]);

  const pristine = useCallback(
    (s: Workspace['snippet']) => {
      if (s.example === undefined) return null;
      return examples?.find((e) => e.name === s.example)?.files ?? undefined;
    },
    [examples],
  );
  /** Holds the user's work; undefined while the gallery needed to tell is loading. */
  const edited = useCallback(
    (s: Workspace['snippet']): boolean | undefined => {
      const p = pristine(s);
      return p === undefined ? undefined : isEdited(s, p);
    },
    [pristine],
  );

  const persist = useCallback((next: Library) => {
    setLib(next);
    if (!saveLibrary(browserStore(), next))
      setProblem('My snippets could not be saved: this browser refused localStorage (private window or full).');
  }, []);

  // Keep the edited snippet in the list as it changes.
  useEffect(() => {
    if (lib === null || !snippet?.id || edited(snippet) !== true) return;
    if (timer.current !== null) window.clearTimeout(timer.current);
    const s = { ...snippet, id: snippet.id };
    timer.current = window.setTimeout(() => {
      timer.current = null;
      setLib((l) => {
        if (l === null) return l;
        const next = record(l, s, Date.now(), { checkpoint: false, title });
        saveLibrary(browserStore(), next);
        return next;
      });
    }, SAVE_DELAY_MS);
    return () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    };
  }, [snippet, lib === null, edited, title]); // eslint-disable-line react-hooks/exhaustive-deps -- every save sets a new lib: only its loading may start one

  /** Keep the current snippet as a version before it is replaced. */
  const checkpoint = useCallback(() => {
    if (lib === null || !snippet?.id || edited(snippet) === false) return;
    persist(record(lib, { ...snippet, id: snippet.id }, Date.now(), { checkpoint: true, title }));
  }, [lib, snippet, edited, title, persist]);

  /**
   * Replace the snippet with something else: asked first when it holds edited code (it is kept in
   * the list either way), at once when it does not.
   */
  const replace = useCallback(
    (what: string, doIt: () => void) => {
      const go = () => {
        checkpoint();
        doIt();
        o.contentReplaced();
      };
      if (snippet && edited(snippet) !== false) setQuestion({ what, title, proceed: go });
      else go();
    },
    [snippet, edited, checkpoint, title, o],
  );

  const newSnippet = useCallback(
    () =>
      replace('a new snippet', () => act({ type: 'snippet-new', id: newSnippetId(Date.now()), files: STARTER_FILES })),
    [replace, act],
  );
  const open = useCallback(
    (entry: LibraryEntry, version?: SnippetVersion) =>
      replace(version ? `“${entry.title}” as of ${new Date(version.at).toLocaleString()}` : `“${entry.title}”`, () =>
        act({ type: 'snippet-restored', snippet: snippetOf(entry, version) }),
      ),
    [replace, act],
  );
  const remove = useCallback((id: string) => lib && persist(removeEntry(lib, id)), [lib, persist]);

  return {
    entries: lib?.entries ?? [],
    problem,
    dismissProblem: () => setProblem(null),
    question,
    answer: (yes: boolean) => {
      const q = question;
      setQuestion(null);
      if (yes) q?.proceed();
    },
    replace,
    newSnippet,
    open,
    remove,
  };
}
