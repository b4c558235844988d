import { SHARE_QUERY_PARAM, decodeLocation, type ShareState } from '@bpfplay/share';
import type { Workspace } from '../state/workspace';
import { STARTER_FILES } from '../examples/starter';
import { sameCode, shareStateOf, stateOfStored, type StoredSnippet } from './shareState';

export type OpenDecision =
  /** Nothing shared in this URL: the saved workspace stays. */
  | { kind: 'none' }
  /**
   * Open `state` (with openShareState, applied to the workspace as it is then: other effects of the
   * same page load, e.g. saving ?token=, may have changed its settings). `replaced` says whether
   * different work was there (offer undo).
   */
  | {
      kind: 'open';
      state: ShareState;
      shared?: { id: string; forkedFrom?: string };
      replaced: boolean;
      source: 'fragment' | 'short';
      label: string;
    }
  /** /s/<id> reopened after editing that snippet: keep the edits rather than wipe them on reload. */
  | { kind: 'keep-edits'; id: string }
  /** A snippet link that cannot be read; the message says why and what to do. */
  | { kind: 'error'; message: string };

/**
 * What opening the page does to the workspace: a stored snippet given by /s/<id> wins, then a
 * `#v1/...` fragment; anything else leaves the saved work alone. Pure, so each case is unit-tested.
 */
export function decideOpen(
  ws: Workspace,
  location: { hash: string; search?: string },
  stored?: StoredSnippet,
): OpenDecision {
  if (stored) {
    const state = stateOfStored(stored);
    if (ws.snippet.shared?.id === stored.id) {
      // The same snippet: unchanged or edited since, the workspace is the newer copy.
      return sameCode(shareStateOf(ws), state) ? { kind: 'none' } : { kind: 'keep-edits', id: stored.id };
    }
    const shared = { id: stored.id, ...(stored.forkedFrom ? { forkedFrom: stored.forkedFrom } : {}) };
    return { kind: 'open', state, shared, replaced: replaces(ws, state), source: 'short', label: `/s/${stored.id}` };
  }
  const r = decodeLocation(location);
  if (r.ok) {
    return {
      kind: 'open',
      state: r.state,
      replaced: replaces(ws, r.state),
      source: 'fragment',
      label: 'the snippet in this link',
    };
  }
  // An empty fragment or an ordinary #anchor is not a failed share.
  if (r.code === 'empty' || r.code === 'unrecognised') return { kind: 'none' };
  return {
    kind: 'error',
    message: `This link's snippet could not be opened: ${r.error}. Your own snippet is shown instead.`,
  };
}

/** The page URL without the snippet it carried (fragment, or `?share=`), once that is in the workspace. */
export function withoutSharedSnippet(href: string): string {
  const u = new URL(href);
  u.hash = '';
  u.searchParams.delete(SHARE_QUERY_PARAM);
  return u.toString();
}

/** Opening `state` loses work worth an undo: the workspace holds other code than the first-visit starter. */
function replaces(ws: Workspace, state: ShareState): boolean {
  const current = shareStateOf(ws);
  return !sameCode(current, state) && !sameCode(current, { files: STARTER_FILES });
}
