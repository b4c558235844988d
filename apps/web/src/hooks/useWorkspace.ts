'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { browserStore } from '../state/kvStore';
import { DEFAULT_SETTINGS, WORKSPACE_VERSION, loadWorkspace, saveWorkspace, type Workspace } from '../state/workspace';
import { STARTER_FILES } from '../examples/starter';
import { defaultAgentUrl } from '../state/socket/agentUrl';

/** Autosave waits for a pause in typing; a save per keystroke would serialize every file each time. */
const AUTOSAVE_DELAY_MS = 400;

export function freshWorkspace(): Workspace {
  return {
    version: WORKSPACE_VERSION,
    snippet: { files: STARTER_FILES.map((f) => ({ ...f })), active: STARTER_FILES[0]!.name, params: {} },
    settings: { ...DEFAULT_SETTINGS },
  };
}

/**
 * The working snippet and settings, restored from localStorage (migrating old versions) and saved
 * back after each change. `notice` says what happened to saved data that could not be used.
 */
export function useWorkspace() {
  const [ws, setWs] = useState<Workspace | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const timer = useRef<number | null>(null);

  useEffect(() => {
    const r = loadWorkspace(browserStore(), { defaultAgentUrl: defaultAgentUrl(window.location) });
    if (r.kind === 'loaded') {
      setWs(r.workspace);
      if (r.migratedFrom !== null) setNotice(`Your saved snippet was upgraded from format version ${r.migratedFrom}.`);
    } else {
      setWs(freshWorkspace());
      if (r.kind === 'unreadable')
        setNotice(
          `Started fresh: ${r.reason}. The old data is kept in localStorage under bpfplay:workspace:unreadable.`,
        );
    }
  }, []);

  useEffect(() => {
    if (ws === null) return;
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      timer.current = null;
      setSaveError(
        saveWorkspace(browserStore(), ws)
          ? null
          : 'Autosave failed: this browser refused localStorage (private window or full). Your edits live only in this tab.',
      );
    }, AUTOSAVE_DELAY_MS);
  }, [ws]);

  // Save immediately when the tab closes so the last keystrokes are not lost to the debounce.
  useEffect(() => {
    const flush = () => {
      if (ws) saveWorkspace(browserStore(), ws);
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, [ws]);

  const update = useCallback((fn: (w: Workspace) => Workspace) => setWs((w) => (w === null ? w : fn(w))), []);
  const dismissNotice = useCallback(() => setNotice(null), []);
  return { ws, update, notice, dismissNotice, saveError };
}
