'use client';

import { useState } from 'react';
import type { EditorApi } from '../editor/EditorView';
import { isActive } from '../state/run';
import { runRequest } from '../state/runRequest';
import type { Workspace } from '../state/workspace';
import type { PageAgent } from './usePageAgent';

export interface RunControlsInput {
  ws: Workspace | null;
  /** The page's agent (its store and socket) and where it tried to connect, for the message when a run could not be sent. */
  page: Pick<PageAgent, 'agent' | 'target'>;
  /** The editor's own text: a keystroke just before Ctrl+Enter must be sent. */
  editor: { current: EditorApi | null };
  /** CO-RE targets the agent knows for this session (bundled + this tab's uploads); read at each Run. */
  knownTargets?: () => ReadonlySet<string> | undefined;
  /** Called as a run starts (the page lets the output pane follow the new run again). */
  onStart?: () => void;
}

/**
 * Run, Check and Stop, the same on the editor page and the embed: build the request from the
 * workspace (runRequest), reset the store's run, send it, and say why when it cannot be sent.
 */
export function useRunControls(o: RunControlsInput) {
  const [runError, setRunError] = useState<string | null>(null);
  const { store, send } = o.page.agent;
  const running = isActive(store.run);
  const connected = store.connection.kind === 'ready';

  const start = (mode: 'run' | 'compile') => {
    if (!o.ws || running) return;
    setRunError(null);
    const known = o.knownTargets?.();
    const req = runRequest(o.ws, {
      mode,
      hello: store.hello,
      textOf: (name) => o.editor.current?.currentText(name),
      ...(known ? { knownTargets: known } : {}),
    });
    if (!req.ok) return setRunError(req.error);
    const msg = store.startRun(req.snippet, req.options);
    o.onStart?.();
    if (!send(msg))
      store.abandonRun(
        `not connected to the agent at ${o.page.target.agentUrl}: the run was not sent. ${connected ? '' : 'See the banner above.'}`,
      );
  };
  const stop = () => {
    const m = store.stopMessage();
    if (m) send(m);
  };
  /** The snippet a Run would send now, or null: compile-as-you-type compiles exactly this (same cache key). */
  const snippet = () => {
    if (!o.ws) return null;
    const req = runRequest(o.ws, {
      mode: 'compile',
      hello: store.hello,
      textOf: (name) => o.editor.current?.currentText(name),
    });
    return req.ok ? req.snippet : null;
  };
  return { running, connected, start, stop, snippet, runError, setRunError };
}
