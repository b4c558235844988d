import { mainFileOf, type RunOptions } from '@bpfplay/protocol';
import { canonicalJson, withoutDefaults, type ShareState } from '@bpfplay/share';
import { DEFAULT_SETTINGS, type Workspace } from '../state/workspace';

/**
 * The run options this web app sends when the user changed nothing. A link leaves them out, so
 * the same program shared with and without touching the settings gets one link and one id.
 */
export const WEB_RUN_DEFAULTS: Partial<RunOptions> = {
  durationSec: DEFAULT_SETTINGS.durationSec,
  perfFrequency: DEFAULT_SETTINGS.perfFrequency,
  mapIntervalMs: DEFAULT_SETTINGS.mapIntervalMs,
};

export interface ShareInput {
  /** The editor's current text of a file (a keystroke can be ahead of the workspace's copy). */
  textOf?: (name: string) => string | null | undefined;
  /**
   * CO-RE targets the receiver's agent can know: the bundled ones. A BTF uploaded in this tab
   * exists only in this tab's agent session, so a link naming it would only produce a warning.
   */
  isShareableTarget?: (name: string) => boolean;
}

/** What Share stores and what a link carries: all files, main, and the options that differ from the defaults. */
export function shareStateOf(ws: Workspace, input: ShareInput = {}): ShareState {
  const s = ws.snippet;
  const files = s.files.map((f) => ({ name: f.name, content: input.textOf?.(f.name) ?? f.content }));
  const coreTargets = (s.coreTargets ?? []).filter((t) => input.isShareableTarget?.(t) ?? true);
  const options = withoutDefaults(
    {
      durationSec: ws.settings.durationSec,
      perfFrequency: ws.settings.perfFrequency,
      mapIntervalMs: ws.settings.mapIntervalMs,
      params: s.params,
      coreTargets,
    },
    WEB_RUN_DEFAULTS,
  );
  const state: ShareState = { files };
  // `main` only matters when it is not the one the agent would pick by itself.
  if (s.main !== undefined && files.some((f) => f.name === s.main) && s.main !== mainFileOf(files)) state.main = s.main;
  if (options) state.options = options;
  return state;
}

/**
 * True when two states hold the same program: files, main file and parameters. Run settings the
 * reader keeps (duration, CO-RE targets) do not make a snippet "edited".
 */
export function sameCode(a: ShareState, b: ShareState): boolean {
  const code = (s: ShareState): ShareState => ({
    files: s.files,
    ...(s.main !== undefined ? { main: s.main } : {}),
    ...(s.options?.params ? { options: { params: s.options.params } } : {}),
  });
  return canonicalJson(code(a), WEB_RUN_DEFAULTS) === canonicalJson(code(b), WEB_RUN_DEFAULTS);
}

/**
 * Open a shared state in the workspace. The files, main file and parameters become the link's; of
 * the run settings and CO-RE targets only those the link carries change (the author set them for
 * this program); token, agent and theme stay the reader's.
 */
export function openShareState(
  ws: Workspace,
  state: ShareState,
  shared?: { id: string; forkedFrom?: string },
): Workspace {
  const files = state.files.map((f) => ({ name: f.name, content: f.content }));
  const main = state.main ?? mainFileOf(files);
  const o = state.options ?? {};
  return {
    ...ws,
    snippet: {
      files,
      active: main !== undefined && files.some((f) => f.name === main) ? main : files[0]!.name,
      ...(state.main !== undefined ? { main: state.main } : {}),
      params: { ...(o.params ?? {}) },
      ...(o.coreTargets?.length
        ? { coreTargets: [...o.coreTargets] }
        : ws.snippet.coreTargets
          ? { coreTargets: ws.snippet.coreTargets }
          : {}),
      ...(shared ? { shared: { id: shared.id, ...(shared.forkedFrom ? { forkedFrom: shared.forkedFrom } : {}) } } : {}),
    },
    settings: {
      ...ws.settings,
      ...(o.durationSec !== undefined ? { durationSec: o.durationSec } : {}),
      ...(o.perfFrequency !== undefined ? { perfFrequency: o.perfFrequency } : {}),
      ...(o.mapIntervalMs !== undefined ? { mapIntervalMs: o.mapIntervalMs } : {}),
    },
  };
}

/** A snippet as the /s and /embed pages receive it from the store. */
export interface StoredSnippet {
  id: string;
  files: { name: string; content: string }[];
  main?: string;
  options?: RunOptions;
  forkedFrom?: string;
}

export function stateOfStored(s: StoredSnippet): ShareState {
  return {
    files: s.files,
    ...(s.main !== undefined ? { main: s.main } : {}),
    ...(s.options ? { options: s.options } : {}),
  };
}
