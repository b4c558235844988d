'use client';

import { useEffect, useState } from 'react';
import { defaultAgentUrl, resolveConnection } from '../state/socket/agentUrl';
import type { Workspace } from '../state/workspace';

/**
 * Which agent to connect to, with which token. On load, `?token=` and `?agent=` from the page URL
 * are saved into the workspace settings and the token is removed from the address bar (so it does
 * not end up in bookmarks or screenshots). Returns agentUrl null until that has happened, so the
 * first connection already uses the URL's token.
 */
export function useConnectionTarget(ws: Workspace | null, update: (fn: (w: Workspace) => Workspace) => void) {
  const [resolved, setResolved] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [defaultUrl, setDefaultUrl] = useState('ws://127.0.0.1:7100/ws');

  useEffect(() => {
    if (ws === null || resolved) return;
    const r = resolveConnection(window.location, { agentUrl: ws.settings.agentUrl, token: ws.settings.token });
    setDefaultUrl(defaultAgentUrl(window.location));
    if (r.cleanedHref !== null) window.history.replaceState(window.history.state, '', r.cleanedHref);
    if (r.agentParamError) setProblem(`Ignored ?agent=: ${r.agentParamError}`);
    if (r.save.agentUrl !== ws.settings.agentUrl || r.save.token !== ws.settings.token) {
      update((w) => ({ ...w, settings: { ...w.settings, agentUrl: r.save.agentUrl, token: r.save.token } }));
    }
    setResolved(true);
  }, [ws, resolved, update]);

  if (!resolved || ws === null) return { agentUrl: null, token: null, defaultUrl, problem };
  return { agentUrl: ws.settings.agentUrl ?? defaultUrl, token: ws.settings.token, defaultUrl, problem };
}
