'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { browserStore } from '../state/kvStore';
import { loadWorkspace, saveWorkspace, type Workspace } from '../state/workspace';
import { openShareState, stateOfStored, type StoredSnippet } from '../share/shareState';
import { freshWorkspace } from './useWorkspace';
import { defaultAgentUrl } from '../state/socket/agentUrl';

/**
 * The embed's working state: the stored snippet's files, edited in memory only (an iframe in a
 * blog post must not overwrite the reader's own playground work), with the reader's saved
 * settings (agent, token, theme). Only the connection is saved back (a ?token= in the iframe's
 * URL): the run options the snippet carries are for this snippet, not the reader's defaults.
 */
export function useEmbedWorkspace(snippet: StoredSnippet) {
  const [ws, setWs] = useState<Workspace | null>(null);
  const savedSettings = useRef<string | null>(null);

  useEffect(() => {
    const r = loadWorkspace(browserStore(), { defaultAgentUrl: defaultAgentUrl(window.location) });
    const base = r.kind === 'loaded' ? r.workspace : freshWorkspace();
    savedSettings.current = connectionOf(base);
    setWs(openShareState(base, stateOfStored(snippet), { id: snippet.id }));
  }, [snippet]);

  useEffect(() => {
    if (!ws) return;
    const conn = connectionOf(ws);
    if (conn === savedSettings.current) return;
    savedSettings.current = conn;
    const store = browserStore();
    const r = loadWorkspace(store, { defaultAgentUrl: defaultAgentUrl(window.location) });
    const base = r.kind === 'loaded' ? r.workspace : freshWorkspace();
    saveWorkspace(store, {
      ...base,
      settings: { ...base.settings, agentUrl: ws.settings.agentUrl, tokens: ws.settings.tokens },
    });
  }, [ws]);

  const update = useCallback((fn: (w: Workspace) => Workspace) => setWs((w) => (w === null ? w : fn(w))), []);
  return { ws, update };
}

const connectionOf = (w: Workspace) => JSON.stringify([w.settings.agentUrl, w.settings.tokens]);
