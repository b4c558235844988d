import type { ParamValue } from '@bpfplay/protocol';
import type { Example } from '../examples/types';
import { addFile, deleteFile, renameFile, updateFile } from './files';
import type { Theme, Workspace } from './workspace';
import { withToken } from './socket/agentCredentials';

/**
 * Every change the pages make to the workspace, by name (rust-playground's slice style): a page
 * dispatches `{ type: 'file-renamed', … }` instead of spreading the workspace inline, so each edit
 * is written once, here, and tested without React (test/workspaceActions.test.ts).
 *
 * File actions that can be refused (a bad name, the last file) are checked by the page first with
 * `fileActionProblem`, which gives the reason to show; the reducer then only applies valid ones
 * (an invalid one leaves the workspace as it is).
 */
export type WorkspaceAction =
  | { type: 'file-selected'; name: string }
  | { type: 'file-edited'; name: string; content: string }
  | { type: 'file-added'; name: string }
  | { type: 'file-renamed'; from: string; to: string }
  | { type: 'file-deleted'; name: string }
  /** A `const volatile` value for the next run; undefined: back to the compiled-in value. */
  | { type: 'param-set'; name: string; value: ParamValue | undefined }
  | { type: 'duration-set'; durationSec: number }
  | { type: 'theme-set'; theme: Theme }
  | { type: 'theme-toggled' }
  | { type: 'font-size-set'; fontSize: number }
  /** `agentUrl` (null: the default agent) gets `token`; tokens saved for other agents stay theirs. */
  | { type: 'agent-set'; agentUrl: string | null; defaultAgentUrl: string; token: string | null }
  /** A gallery example replaces the snippet; the CO-RE targets the user picked stay. */
  | { type: 'example-loaded'; example: Example }
  /** New: the starter program, as a new snippet of the user's list. */
  | { type: 'snippet-new'; id: string; files: readonly { name: string; content: string }[] }
  /** The snippet gets its id in the user's snippet list (the first time it is edited). */
  | { type: 'snippet-identified'; id: string }
  /** The user's title; '' goes back to the example's title or "untitled snippet". */
  | { type: 'title-set'; title: string }
  /** Undo of a replacement: the snippet as it was. */
  | { type: 'snippet-restored'; snippet: Workspace['snippet'] }
  /** The kernels the next Run names (the Kernels pane's picker); [] is the agent's default. */
  | { type: 'run-targets-set'; targets: string[] };

export type FileAction = Extract<WorkspaceAction, { type: 'file-added' | 'file-renamed' | 'file-deleted' }>;

/** Why a file action cannot be applied to `w` (in words for the user), or null. */
export function fileActionProblem(w: Workspace, a: FileAction): string | null {
  const r = fileOp(w, a);
  return r.ok ? null : r.error;
}

function fileOp(w: Workspace, a: FileAction) {
  const files = w.snippet.files;
  switch (a.type) {
    case 'file-added':
      return addFile(files, a.name);
    case 'file-renamed':
      return renameFile(files, a.from, a.to);
    case 'file-deleted':
      return deleteFile(files, a.name);
  }
}

export function workspaceReducer(w: Workspace, a: WorkspaceAction): Workspace {
  const snippet = (s: Partial<Workspace['snippet']>): Workspace => ({ ...w, snippet: { ...w.snippet, ...s } });
  const settings = (s: Partial<Workspace['settings']>): Workspace => ({ ...w, settings: { ...w.settings, ...s } });
  switch (a.type) {
    case 'file-selected':
      return snippet({ active: a.name });
    case 'file-edited':
      return snippet({ files: updateFile(w.snippet.files, a.name, a.content) });
    case 'file-added': {
      const r = fileOp(w, a);
      return r.ok ? snippet({ files: r.files, active: a.name }) : w;
    }
    case 'file-renamed': {
      const r = fileOp(w, a);
      if (!r.ok) return w;
      return snippet({
        files: r.files,
        active: w.snippet.active === a.from ? a.to : w.snippet.active,
        ...(w.snippet.main === a.from ? { main: a.to } : {}),
      });
    }
    case 'file-deleted': {
      const r = fileOp(w, a);
      if (!r.ok) return w;
      return snippet({ files: r.files, active: w.snippet.active === a.name ? r.files[0]!.name : w.snippet.active });
    }
    case 'param-set': {
      const params = { ...w.snippet.params };
      if (a.value === undefined) delete params[a.name];
      else params[a.name] = a.value;
      return snippet({ params });
    }
    case 'duration-set':
      return settings({ durationSec: a.durationSec });
    case 'theme-set':
      return settings({ theme: a.theme });
    case 'theme-toggled':
      return settings({ theme: w.settings.theme === 'dark' ? 'light' : 'dark' });
    case 'font-size-set':
      return settings({ fontSize: a.fontSize });
    case 'agent-set':
      return settings({
        agentUrl: a.agentUrl,
        tokens: withToken(w.settings.tokens, a.agentUrl ?? a.defaultAgentUrl, a.token),
      });
    case 'example-loaded': {
      const e = a.example;
      return {
        ...w,
        snippet: {
          files: e.files.map((f) => ({ ...f })),
          active: e.main ?? e.files[0]!.name,
          ...(e.main ? { main: e.main } : {}),
          example: e.name,
          params: { ...(e.meta.params ?? {}) },
          // The kernels picked to check CO-RE against or run on are the user's choice, not the example's.
          ...(w.snippet.coreTargets ? { coreTargets: w.snippet.coreTargets } : {}),
          ...(w.snippet.runTargets ? { runTargets: w.snippet.runTargets } : {}),
        },
      };
    }
    case 'snippet-restored':
      return { ...w, snippet: a.snippet };
    case 'snippet-new':
      return {
        ...w,
        snippet: {
          id: a.id,
          files: a.files.map((f) => ({ ...f })),
          active: a.files[0]!.name,
          params: {},
          ...(w.snippet.coreTargets ? { coreTargets: w.snippet.coreTargets } : {}),
          ...(w.snippet.runTargets ? { runTargets: w.snippet.runTargets } : {}),
        },
      };
    case 'snippet-identified':
      return w.snippet.id === undefined ? snippet({ id: a.id }) : w;
    case 'run-targets-set':
      return snippet({ runTargets: a.targets });
    case 'title-set': {
      const { title: _old, ...rest } = w.snippet;
      const t = a.title.trim();
      return { ...w, snippet: t === '' ? rest : { ...rest, title: a.title.slice(0, 200) } };
    }
  }
}
