'use client';

import { useCallback, useEffect, useState } from 'react';
import {
  acceptSwitch,
  planConnection,
  switchQuestion,
  tokenFor,
  type PendingSwitch,
} from '../state/socket/agentCredentials';
import { defaultAgentUrl } from '../state/socket/agentUrl';
import type { Workspace } from '../state/workspace';

/**
 * Which agent to connect to, with which token (the rules: state/socket/agentCredentials.ts). On
 * load, `?token=` and `?agent=` from the page URL are applied and removed from the address bar (so
 * the token does not end up in bookmarks or screenshots). A link naming another agent waits for the
 * user's confirmation (`pendingSwitch`, shown as a banner) before anything is sent there. Returns
 * agentUrl null until the URL has been read, so the first connection already uses the URL's token.
 */
export function useConnectionTarget(ws: Workspace | null, update: (fn: (w: Workspace) => Workspace) => void) {
  const [resolved, setResolved] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingSwitch | null>(null);
  const [defaultUrl, setDefaultUrl] = useState('ws://127.0.0.1:7100/ws');

  useEffect(() => {
    if (ws === null || resolved) return;
    const saved = { agentUrl: ws.settings.agentUrl, tokens: ws.settings.tokens };
    const plan = planConnection(window.location, saved);
    setDefaultUrl(defaultAgentUrl(window.location));
    if (plan.cleanedHref !== null) window.history.replaceState(window.history.state, '', plan.cleanedHref);
    if (plan.agentParamError) setProblem(`Ignored ?agent=: ${plan.agentParamError}`);
    setPending(plan.pendingSwitch);
    if (plan.save !== saved) update((w) => ({ ...w, settings: { ...w.settings, ...plan.save } }));
    setResolved(true);
  }, [ws, resolved, update]);

  const confirmSwitch = useCallback(() => {
    if (!pending) return;
    update((w) => ({ ...w, settings: { ...w.settings, ...acceptSwitch(w.settings, pending) } }));
    setPending(null);
  }, [pending, update]);
  const declineSwitch = useCallback(() => setPending(null), []);

  if (!resolved || ws === null)
    return { agentUrl: null, token: null, defaultUrl, problem, pendingSwitch: null, confirmSwitch, declineSwitch };
  const agentUrl = ws.settings.agentUrl ?? defaultUrl;
  return {
    agentUrl,
    token: tokenFor(ws.settings.tokens, agentUrl),
    /** The token saved for another URL typed into Settings: only that agent's own. */
    tokenFor: (url: string) => tokenFor(ws.settings.tokens, url),
    defaultUrl,
    problem,
    pendingSwitch: pending && { ...pending, question: switchQuestion(agentUrl, pending) },
    confirmSwitch,
    declineSwitch,
  };
}
