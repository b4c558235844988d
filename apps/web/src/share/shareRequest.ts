import { checkSnippetSize, isSnippetId, type ShareState } from '@bpfplay/share';

export type ShareOutcome =
  | { ok: true; id: string; url: string; created: boolean }
  /** `status` is null when no answer came (network) or the request was never sent (size). */
  | { ok: false; status: number | null; error: string };

type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/**
 * POST /api/snippets. Every failure comes back as a sentence for the user: the server's own
 * message for 400/413/429 (they say what to do), and for the rest what happened and that the
 * fragment link still works (it needs no server).
 */
export async function postSnippet(fetchFn: FetchLike, state: ShareState, forkedFrom?: string): Promise<ShareOutcome> {
  const size = checkSnippetSize(state.files);
  if (!size.ok) return { ok: false, status: null, error: `Not shared: ${size.error}.` };
  const body = JSON.stringify({ ...state, ...(forkedFrom && isSnippetId(forkedFrom) ? { forkedFrom } : {}) });
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn('/api/snippets', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  } catch (e) {
    return {
      ok: false,
      status: null,
      error: `Could not reach the web server to store the snippet (${(e as Error).message}). The link with the snippet in it works without the server.`,
    };
  }
  let json: unknown = null;
  const text = await res.text().catch(() => '');
  try {
    json = JSON.parse(text);
  } catch {
    /* reported below with the status */
  }
  const j = (json ?? {}) as { id?: unknown; url?: unknown; created?: unknown; error?: unknown };
  if (res.ok && typeof j.id === 'string' && typeof j.url === 'string') {
    return { ok: true, id: j.id, url: j.url, created: j.created === true };
  }
  const serverSays = typeof j.error === 'string' ? j.error : null;
  if (res.status === 429) {
    const after = res.headers.get('retry-after');
    return {
      ok: false,
      status: 429,
      error: `Not shared: ${serverSays ?? `too many shares; try again${after ? ` in ${after} s` : ' in a minute'}`}.`,
    };
  }
  if (serverSays) return { ok: false, status: res.status, error: `Not shared (HTTP ${res.status}): ${serverSays}.` };
  return {
    ok: false,
    status: res.status,
    error: `Not shared: /api/snippets answered HTTP ${res.status} without a usable body${text ? ` (${text.slice(0, 120)})` : ''}. The link with the snippet in it works without the server.`,
  };
}

/** GET /api/snippets/<id>: only what the page needs after re-sharing known content (its fork origin). */
export async function fetchForkedFrom(
  fetchFn: (url: string) => Promise<{ ok: boolean; json(): Promise<unknown> }>,
  id: string,
): Promise<string | undefined> {
  try {
    const r = await fetchFn(`/api/snippets/${encodeURIComponent(id)}`);
    if (!r.ok) return undefined;
    const j = (await r.json()) as { forkedFrom?: unknown };
    return typeof j.forkedFrom === 'string' ? j.forkedFrom : undefined;
  } catch {
    return undefined;
  }
}
