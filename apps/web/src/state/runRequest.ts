import { Snippet, describeIssues, type RunOptions } from '@bpfplay/protocol';
import type { Hello } from './socket/connectionState';
import { mainFile } from './files';
import { runTargetsOption } from './targets';
import type { Workspace } from './workspace';

export type RunRequest = { ok: true; snippet: Snippet; options: RunOptions } | { ok: false; error: string };

export interface RunRequestInput {
  mode: 'run' | 'compile';
  hello: Hello | null;
  /** The editor's current text of a file: a keystroke just before Ctrl+Enter must be sent. */
  textOf?: (name: string) => string | null | undefined;
  /** CO-RE targets the agent can resolve for this session (bundled + uploaded in this connection). */
  knownTargets?: ReadonlySet<string>;
}

/** The protocol allows this many CO-RE targets per run. */
export const MAX_CORE_TARGETS = 8;

/**
 * The snippet and options a Run (or Check) sends, from the workspace: the page and the embed
 * build runs the same way. Picked CO-RE targets the agent does not know (an upload from an
 * earlier visit: uploads live as long as the agent session) are left out.
 */
export function runRequest(ws: Workspace, input: RunRequestInput): RunRequest {
  const main = mainFile(ws.snippet.files, ws.snippet.main);
  if ('error' in main) return { ok: false, error: main.error };
  const files = ws.snippet.files.map((f) => ({ name: f.name, content: input.textOf?.(f.name) ?? f.content }));
  const snippet = { files, main: main.name };
  const check = Snippet.safeParse(snippet);
  if (!check.success) return { ok: false, error: `cannot send this snippet: ${describeIssues(check.error)}` };
  const s = ws.settings;
  const maxSec = input.hello?.limits.maxRunSeconds;
  const known = input.knownTargets ?? new Set(input.hello?.capabilities.coreTargets ?? []);
  const coreTargets = (ws.snippet.coreTargets ?? []).filter((t) => known.has(t)).slice(0, MAX_CORE_TARGETS);
  // Kernels this agent does not offer (a snippet saved against another agent) are left out.
  const targets = runTargetsOption(ws.snippet.runTargets, input.hello ?? null);
  return {
    ok: true,
    snippet,
    options: {
      durationSec: maxSec ? Math.min(s.durationSec, maxSec) : s.durationSec,
      params: ws.snippet.params,
      perfFrequency: s.perfFrequency,
      mapIntervalMs: s.mapIntervalMs,
      mode: input.mode,
      // Ring and perf buffer records as their raw bytes in binary frames, decoded in the socket
      // worker with the schema's layout: the cheapest form for the agent and for this page.
      eventFormat: 'binary',
      ...(coreTargets.length ? { coreTargets } : {}),
      ...(targets ? { targets } : {}),
    },
  };
}
