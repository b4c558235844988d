import { getShareApi } from '@bpfplay/share/server';
import type { StoredSnippet } from '../share/shareState';

export type StoredSnippetResult = { ok: true; snippet: StoredSnippet } | { ok: false; status: number; error: string };

/**
 * A stored snippet for the /s and /embed pages, read from the store in this process (no HTTP
 * call to our own API). Failures carry the API's message: it says what to check.
 */
export async function loadStoredSnippet(id: string): Promise<StoredSnippetResult> {
  const r = await getShareApi().handleGet(id);
  if (r.status !== 200)
    return {
      ok: false,
      status: r.status,
      error: (r.json as { error?: string }).error ?? `snippet ${id}: HTTP ${r.status}`,
    };
  const j = r.json as StoredSnippet;
  return {
    ok: true,
    snippet: {
      id: j.id,
      files: j.files.map((f) => ({ name: f.name, content: f.content })),
      ...(j.main !== undefined ? { main: j.main } : {}),
      ...(j.options !== undefined ? { options: j.options } : {}),
      ...(j.forkedFrom !== undefined ? { forkedFrom: j.forkedFrom } : {}),
    },
  };
}
