import { z } from 'zod';
import { ParamValue, RUN_DEFAULTS, TargetName } from '@bpfplay/protocol';
import type { KeyValueStore } from './kvStore';
import { withToken } from './socket/agentCredentials';

/** One key holds the whole working state: the snippet being edited and the user's settings. */
export const WORKSPACE_KEY = 'bpfplay:workspace';
export const WORKSPACE_VERSION = 3;

export const Theme = z.enum(['dark', 'light']);
export type Theme = z.infer<typeof Theme>;

const EditorFile = z.object({ name: z.string().min(1), content: z.string() });
export type EditorFile = z.infer<typeof EditorFile>;

/**
 * Version 1 was the single-file layout: one `source` string, compiled as `prog.bpf.c`, plus the
 * token. Version 2 holds several files (headers next to the program), which file is open, and the
 * settings that became configurable.
 */
export const WorkspaceV1 = z.object({
  version: z.literal(1),
  source: z.string(),
  token: z.string().nullable().optional(),
  theme: Theme.optional(),
});
export type WorkspaceV1 = z.infer<typeof WorkspaceV1>;

const CommonSettings = z.object({
  agentUrl: z.string().nullable(),
  theme: Theme,
  durationSec: z.number().positive(),
  perfFrequency: z.number().int().positive(),
  mapIntervalMs: z.number().int().positive(),
  /** Text size in px (Settings → Display), for a projector or a small screen; absent: 13. */
  fontSize: z.number().int().min(10).max(24).optional(),
});

/** Version 2 saved one token, sent to whichever agent the settings named (issue 11: a link could change that). */
const SettingsV2 = CommonSettings.extend({ token: z.string().nullable() });

/** Version 3: tokens by agent origin (socket/agentCredentials.ts); a token is only sent where it came from. */
export const Settings = CommonSettings.extend({ tokens: z.record(z.string(), z.string()) });
export type Settings = z.infer<typeof Settings>;

const Snippet = z.object({
  /** Its entry in the user's snippet list (snippetLibrary.ts); absent until it is first edited. */
  id: z.string().min(1).optional(),
  /** The title the user gave it; absent: the example's title, or "untitled snippet". */
  title: z.string().max(200).optional(),
  files: z.array(EditorFile).min(1),
  main: z.string().optional(),
  active: z.string(),
  /** The gallery example this started from, if any (shown in the title bar). */
  example: z.string().optional(),
  params: z.record(z.string(), ParamValue),
  /** Other kernels' BTF (bundled names or this tab's uploads) to check CO-RE relocations against. */
  coreTargets: z.array(z.string().min(1).max(128)).max(8).optional(),
  /** Where Run runs it (the Kernels pane): `host` and/or kernels of the matrix; absent: the agent's default. */
  runTargets: z.array(TargetName).max(8).optional(),
  /**
   * The short link this snippet was opened from or last shared as: the next Share names it as
   * `forkedFrom`, and reopening /s/<id> keeps the edits made since.
   */
  shared: z.object({ id: z.string(), forkedFrom: z.string().optional() }).optional(),
});

export const WorkspaceV2 = z.object({ version: z.literal(2), snippet: Snippet, settings: SettingsV2 });
export const WorkspaceV3 = z.object({ version: z.literal(3), snippet: Snippet, settings: Settings });
export type Workspace = z.infer<typeof WorkspaceV3>;

export const DEFAULT_SETTINGS: Settings = {
  agentUrl: null,
  tokens: {},
  theme: 'dark',
  durationSec: 30,
  perfFrequency: RUN_DEFAULTS.perfFrequency,
  mapIntervalMs: RUN_DEFAULTS.mapIntervalMs,
};

/** The font sizes Settings offers (px); 13 is the page's own. */
export const FONT_SIZES = [12, 13, 14, 16, 18] as const;
export const DEFAULT_FONT_SIZE = 13;

export const V1_FILE_NAME = 'prog.bpf.c';

export interface MigrationContext {
  /** The agent a workspace without a chosen agent talks to (socket/agentUrl.ts defaultAgentUrl). */
  defaultAgentUrl: string;
}

/** An old single token belongs to the agent the old settings pointed at: that origin, and only it, keeps it. */
function tokensOf(
  token: string | null | undefined,
  agentUrl: string | null,
  ctx: MigrationContext,
): Settings['tokens'] {
  return token ? withToken({}, agentUrl ?? ctx.defaultAgentUrl, token) : {};
}

export function migrateV1(v1: WorkspaceV1, ctx: MigrationContext): Workspace {
  return {
    version: 3,
    snippet: { files: [{ name: V1_FILE_NAME, content: v1.source }], active: V1_FILE_NAME, params: {} },
    settings: {
      ...DEFAULT_SETTINGS,
      tokens: tokensOf(v1.token, null, ctx),
      theme: v1.theme ?? DEFAULT_SETTINGS.theme,
    },
  };
}

export function migrateV2(v2: z.infer<typeof WorkspaceV2>, ctx: MigrationContext): Workspace {
  const { token, ...settings } = v2.settings;
  return { ...v2, version: 3, settings: { ...settings, tokens: tokensOf(token, settings.agentUrl, ctx) } };
}

export type LoadResult =
  | { kind: 'empty' }
  | { kind: 'loaded'; workspace: Workspace; migratedFrom: number | null }
  /** Saved data we cannot read: the caller starts fresh and tells the user, and keeps the raw text. */
  | { kind: 'unreadable'; reason: string };

const DEFAULT_CONTEXT: MigrationContext = { defaultAgentUrl: 'ws://127.0.0.1:7100/ws' };

/** Parse whatever was saved, upgrading older versions to the current one. Never throws. */
export function migrate(raw: string | null, ctx: MigrationContext = DEFAULT_CONTEXT): LoadResult {
  if (raw === null || raw === '') return { kind: 'empty' };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { kind: 'unreadable', reason: 'saved workspace is not JSON' };
  }
  const version = typeof data === 'object' && data !== null ? (data as { version?: unknown }).version : undefined;
  if (typeof version !== 'number') return { kind: 'unreadable', reason: 'saved workspace has no version' };
  if (version > WORKSPACE_VERSION) {
    return {
      kind: 'unreadable',
      reason: `saved workspace is version ${version}, written by a newer bpfplay than this one (${WORKSPACE_VERSION})`,
    };
  }
  if (version === 1) {
    const r = WorkspaceV1.safeParse(data);
    if (!r.success)
      return {
        kind: 'unreadable',
        reason: `saved workspace (version 1) is damaged: ${r.error.issues[0]?.message ?? ''}`,
      };
    return { kind: 'loaded', workspace: migrateV1(r.data, ctx), migratedFrom: 1 };
  }
  // Version 2 differs in the settings only: upgraded silently, the snippet is as it was.
  const r =
    version === 2 ? WorkspaceV2.transform((v2) => migrateV2(v2, ctx)).safeParse(data) : WorkspaceV3.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    return {
      kind: 'unreadable',
      reason: `saved workspace is damaged at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    };
  }
  // An `active` file that no longer exists would open an empty editor; fall back to the first.
  const ws = r.data;
  if (!ws.snippet.files.some((f) => f.name === ws.snippet.active)) ws.snippet.active = ws.snippet.files[0]!.name;
  return { kind: 'loaded', workspace: ws, migratedFrom: null };
}

/** Where an unreadable workspace is moved so a fresh start does not destroy the user's text. */
export const UNREADABLE_BACKUP_KEY = `${WORKSPACE_KEY}:unreadable`;

export function loadWorkspace(store: KeyValueStore, ctx?: MigrationContext): LoadResult {
  const raw = store.get(WORKSPACE_KEY);
  const r = migrate(raw, ctx);
  if (r.kind === 'unreadable' && raw !== null) store.set(UNREADABLE_BACKUP_KEY, raw);
  return r;
}

export function saveWorkspace(store: KeyValueStore, ws: Workspace): boolean {
  return store.set(WORKSPACE_KEY, JSON.stringify(ws));
}
