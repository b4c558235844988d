import { isSnippetId } from './idFormat';
import { SnippetTooLargeError, checkRequestSize } from './limits';
import { shortLinkPath } from './links';
import type { RateLimiter } from './rateLimit';
import { parseShareState } from './state';
import type { SnippetStore } from './store/types';

/**
 * The HTTP API without HTTP: Next.js route handlers (or any server) pass the body and a client key
 * in, and send `status`, `json` and `headers` back out unchanged.
 */
export interface ApiResponse {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface ShareApiOptions {
  store: SnippetStore;
  /** Omit for no limit (tests, a single-user playground). */
  limiter?: RateLimiter;
  /** URL returned for a new id; default `/s/<id>` (relative: the page adds its own origin). */
  urlFor?: (id: string) => string;
}

export interface ShareApi {
  /** POST /api/snippets. `body` is the raw request text (preferred: its size is checked before parsing) or parsed JSON. */
  handleCreate(body: unknown, clientKey: string): Promise<ApiResponse>;
  /** GET /api/snippets/<id>. */
  handleGet(id: string): Promise<ApiResponse>;
}

const error = (status: number, message: string, headers?: Record<string, string>): ApiResponse => ({
  status,
  json: { error: message },
  ...(headers ? { headers } : {}),
});

/** Stored content never changes under an id, so caches may keep it for good. */
const IMMUTABLE = { 'cache-control': 'public, max-age=31536000, immutable' };

export function createShareApi(opts: ShareApiOptions): ShareApi {
  const urlFor = opts.urlFor ?? shortLinkPath;

  async function handleCreate(body: unknown, clientKey: string): Promise<ApiResponse> {
    if (opts.limiter) {
      const r = opts.limiter.take(clientKey);
      if (!r.ok) return error(429, r.error, { 'retry-after': String(r.retryAfterSec) });
    }
    let data = body;
    if (typeof body === 'string') {
      const size = checkRequestSize(new TextEncoder().encode(body).length);
      if (!size.ok) return error(413, size.error);
      try {
        data = JSON.parse(body);
      } catch (e) {
        return error(400, `request body is not JSON: ${(e as Error).message}`);
      }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return error(
        400,
        'request body must be a JSON object: {"files":[{"name":"prog.bpf.c","content":"..."}], "options"?: {...}}',
      );
    }
    const { forkedFrom, ...rest } = data as { forkedFrom?: unknown };
    if (
      forkedFrom !== undefined &&
      forkedFrom !== null &&
      (typeof forkedFrom !== 'string' || !isSnippetId(forkedFrom))
    ) {
      return error(
        400,
        `forkedFrom must be a snippet id (11 to 43 characters of A-Z a-z 0-9 _ -), got ${JSON.stringify(forkedFrom)}`,
      );
    }
    const parsed = parseShareState(rest);
    if (!parsed.ok) return error(parsed.code === 'too-large' ? 413 : 400, parsed.error);
    try {
      const r = await opts.store.put(parsed.state, typeof forkedFrom === 'string' ? { forkedFrom } : {});
      return { status: r.created ? 201 : 200, json: { id: r.id, url: urlFor(r.id), created: r.created } };
    } catch (e) {
      if (e instanceof SnippetTooLargeError) return error(413, e.message);
      return error(500, `could not save the snippet: ${(e as Error).message}`);
    }
  }

  async function handleGet(id: string): Promise<ApiResponse> {
    if (!isSnippetId(id)) {
      return error(
        400,
        `"${id.slice(0, 64)}" is not a snippet id: ids are 11 or more characters of A-Z a-z 0-9 _ -; check the link`,
      );
    }
    let stored;
    try {
      stored = await opts.store.get(id);
    } catch (e) {
      return error(500, `could not read snippet ${id}: ${(e as Error).message}`);
    }
    if (!stored)
      return error(
        404,
        `no snippet with id ${id}: the link may be mistyped or cut short, or it was shared on another bpfplay server`,
      );
    return {
      status: 200,
      json: {
        id: stored.id,
        ...stored.snippet,
        ...(stored.forkedFrom !== undefined ? { forkedFrom: stored.forkedFrom } : {}),
        createdAt: stored.createdAt,
        size: stored.size,
      },
      headers: IMMUTABLE,
    };
  }

  return { handleCreate, handleGet };
}
