'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ShareState } from '@bpfplay/share';
import type { Workspace } from '../state/workspace';
import { decideOpen, withoutSharedSnippet } from '../share/openShared';
import { openShareState, shareStateOf, stateOfStored, type ShareInput, type StoredSnippet } from '../share/shareState';
import { fetchForkedFrom, postSnippet, type ShareOutcome } from '../share/shareRequest';

export interface UndoOffer {
  /** What was loaded, e.g. "execsnoop" or "/s/abc". */
  loaded: string;
  /** What it replaced. */
  replaced: string;
  snippet: Workspace['snippet'];
}

export interface SharingDeps {
  ws: Workspace | null;
  update(fn: (w: Workspace) => Workspace): void;
  /** The files' text changed from outside the editor: it must reload its models. */
  contentReplaced(): void;
  offerUndo(u: UndoOffer): void;
  shareInput(): ShareInput;
  /** A snippet from the store, when the page is /s/<id>. */
  stored?: StoredSnippet | undefined;
}

export type SharingBanner = { level: 'error' | 'info'; text: string; revert?: boolean; testId: string } | null;

/**
 * Everything about links on the editor page: open the snippet a link carries (fragment or /s/<id>)
 * once the saved workspace is loaded, and Share (POST, then the dialog's links).
 */
export function useSharing(d: SharingDeps) {
  const { ws, update } = d;
  const deps = useRef(d);
  deps.current = d;
  const [banner, setBanner] = useState<SharingBanner>(null);
  const [dialog, setDialog] = useState<{
    state: ShareState;
    outcome: ShareOutcome | null;
    forkedFrom: string | null;
  } | null>(null);
  const opened = useRef(false);

  const open = useCallback((w: Workspace, href: { hash: string; search: string }, stored?: StoredSnippet) => {
    const r = decideOpen(w, href, stored);
    const { update, contentReplaced, offerUndo } = deps.current;
    switch (r.kind) {
      case 'none':
        return;
      case 'error':
        setBanner({ level: 'error', text: r.message, testId: 'share-link-error' });
        return;
      case 'keep-edits':
        setBanner({
          level: 'info',
          text: `Showing your edits of /s/${r.id} from before (kept in this browser).`,
          revert: true,
          testId: 'share-kept-edits',
        });
        return;
      case 'open':
        update((cur) => openShareState(cur, r.state, r.shared));
        contentReplaced();
        setBanner(null);
        if (r.replaced)
          offerUndo({ loaded: r.label, replaced: w.snippet.example ?? 'your snippet', snippet: w.snippet });
        // The workspace holds it now: a reload must not throw away the edits made since.
        if (r.source === 'fragment')
          window.history.replaceState(window.history.state, '', withoutSharedSnippet(window.location.href));
    }
  }, []);

  useEffect(() => {
    if (opened.current || ws === null) return;
    opened.current = true;
    open(ws, window.location, deps.current.stored);
  }, [ws, open]);

  // Pasting another snippet link into the address bar of an open tab changes only the fragment.
  useEffect(() => {
    const onHash = () => {
      const current = deps.current.ws;
      if (current) open(current, window.location);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [open]);

  const revert = useCallback(() => {
    const stored = deps.current.stored;
    if (!stored) return;
    update((w) =>
      openShareState(w, stateOfStored(stored), {
        id: stored.id,
        ...(stored.forkedFrom ? { forkedFrom: stored.forkedFrom } : {}),
      }),
    );
    deps.current.contentReplaced();
    setBanner(null);
  }, [update]);

  const share = useCallback(async () => {
    const w = deps.current.ws;
    if (!w) return;
    const state = shareStateOf(w, deps.current.shareInput());
    const previous = w.snippet.shared;
    setDialog({ state, outcome: null, forkedFrom: null });
    const outcome = await postSnippet((url, init) => fetch(url, init), state, previous?.id);
    let forkedFrom: string | null = null;
    if (outcome.ok) {
      if (outcome.id === previous?.id) forkedFrom = previous.forkedFrom ?? null;
      else if (outcome.created) forkedFrom = previous?.id ?? null;
      // Code someone shared before: its first share fixed where it came from.
      else forkedFrom = (await fetchForkedFrom((u) => fetch(u), outcome.id)) ?? null;
      const shared = { id: outcome.id, ...(forkedFrom ? { forkedFrom } : {}) };
      update((x) => ({ ...x, snippet: { ...x.snippet, shared } }));
      // On /s/<old>, the address follows the new link, so a reload opens what is on screen.
      if (window.location.pathname.startsWith('/s/'))
        window.history.replaceState(window.history.state, '', outcome.url);
    }
    setDialog((cur) => (cur && cur.state === state ? { state, outcome, forkedFrom } : cur));
  }, [update]);

  return {
    banner,
    dismissBanner: () => setBanner(null),
    revert,
    share,
    dialog,
    closeDialog: () => setDialog(null),
  };
}
