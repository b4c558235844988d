'use client';

import { useCallback, useEffect } from 'react';
import type { Workspace } from '../state/workspace';
import { workspaceReducer, type WorkspaceAction } from '../state/workspaceActions';
import { useAgent } from './useAgent';
import { useConnectionTarget } from './useConnectionTarget';

/**
 * What every page with its own workspace starts from (the editor page, the embed): named workspace
 * actions, the agent the workspace points at and its store, and the workspace's theme on the page.
 */
export function usePageAgent(ws: Workspace | null, update: (fn: (w: Workspace) => Workspace) => void) {
  const act = useCallback((a: WorkspaceAction) => update((w) => workspaceReducer(w, a)), [update]);
  const target = useConnectionTarget(ws, update);
  const agent = useAgent(target.agentUrl, target.token);
  const theme = ws?.settings.theme ?? 'dark';
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return { act, target, agent };
}

export type PageAgent = ReturnType<typeof usePageAgent>;
