'use client';

import { useEffect, useMemo } from 'react';
import type { ClientMessage } from '@bpfplay/protocol';
import type { AgentStore } from '../state/agentStore';
import type { Workspace } from '../state/workspace';
import { toggleTarget } from '../state/coReTable';
import { MAX_CORE_TARGETS } from '../state/runRequest';
import type { CoreTargetsProps } from '../components/panes/CoRePane';

/**
 * The CO-RE explorer's "check against another kernel": the picked targets live in the workspace
 * (and travel in shared links), the uploads in the session (they live as long as the agent session).
 */
export function useCoReTargets(opts: {
  store: AgentStore;
  ws: Workspace | null;
  update(fn: (w: Workspace) => Workspace): void;
  send(m: ClientMessage): boolean;
  onError(text: string): void;
  check(): void;
  canCheck: boolean;
}) {
  const { store, ws, update, send, onError } = opts;
  const hello = store.hello;
  const sessionId = store.connection.kind === 'ready' ? hello?.session.id : undefined;

  // A new agent session (reconnect) starts without this tab's uploads.
  useEffect(() => {
    if (sessionId === undefined) return;
    for (const m of store.resendUploads()) send(m);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per agent session, with the uploads as they are then
  }, [sessionId]);

  const bundled = useMemo(() => hello?.capabilities.coreTargets ?? [], [hello]);
  const uploads = store.uploads.list;
  const known = useMemo(
    () => new Set([...bundled, ...uploads.filter((u) => u.state === 'ready').map((u) => u.name)]),
    [bundled, uploads],
  );

  const upload = async (file: File) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      return onError(`Could not read ${file.name}: ${(e as Error).message}`);
    }
    const r = store.uploadBtf(file.name, bytes);
    if (!r.ok) return onError(`Upload refused: ${r.error}`);
    if (!send(r.message)) {
      store.removeUpload(r.name);
      return onError(`Not connected to the agent: ${file.name} was not uploaded. Connect, then upload it again.`);
    }
    update((w) => ({
      ...w,
      snippet: { ...w.snippet, coreTargets: toggleTarget(w.snippet.coreTargets, r.name, true, MAX_CORE_TARGETS) },
    }));
  };

  const props: CoreTargetsProps = {
    bundled,
    uploads,
    selected: (ws?.snippet.coreTargets ?? []).filter((t) => known.has(t) || uploads.some((u) => u.name === t)),
    canCheck: opts.canCheck,
    onToggle: (name, on) =>
      update((w) => ({
        ...w,
        snippet: { ...w.snippet, coreTargets: toggleTarget(w.snippet.coreTargets, name, on, MAX_CORE_TARGETS) },
      })),
    onUpload: (f) => void upload(f),
    onRemoveUpload: (name) => {
      store.removeUpload(name);
      update((w) => ({
        ...w,
        snippet: { ...w.snippet, coreTargets: toggleTarget(w.snippet.coreTargets, name, false, MAX_CORE_TARGETS) },
      }));
    },
    onCheck: opts.check,
  };
  // An upload exists only in this tab's agent session: a link naming it would only earn a warning.
  const isShareableTarget = (t: string) => (hello ? bundled.includes(t) : !uploads.some((u) => u.name === t));
  return { props, known, isShareableTarget };
}
