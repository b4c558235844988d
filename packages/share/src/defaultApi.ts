import { createShareApi, type ShareApi } from './api';
import { resolveDataDir } from './dataDir';
import { DEFAULT_SHARE_RATE, RateLimiter } from './rateLimit';
import { SqliteStore } from './store/sqlite';

/** Salt override for ids (see DEFAULT_ID_SALT); most deployments leave it unset. */
export const SALT_ENV = 'BPFPLAY_SNIPPET_SALT';

interface Holder {
  api: ShareApi;
  store: SqliteStore;
}

/** On globalThis, because Next.js dev re-evaluates modules on every edit and would open the file again each time. */
const KEY = Symbol.for('bpfplay.share.defaultApi');

/**
 * The API the web app's route handlers use: a SqliteStore in resolveDataDir() and the default rate
 * limit, opened on first use and shared by all handlers in the process.
 */
export function getShareApi(env: Record<string, string | undefined> = process.env): ShareApi {
  const g = globalThis as { [KEY]?: Holder };
  const held = g[KEY];
  if (held) return held.api;
  const salt = env[SALT_ENV];
  const store = new SqliteStore({ dataDir: resolveDataDir(env), ...(salt ? { salt } : {}) });
  const api = createShareApi({ store, limiter: new RateLimiter(DEFAULT_SHARE_RATE) });
  g[KEY] = { api, store };
  return api;
}

/** Close the default store (tests, graceful shutdown); the next getShareApi() opens it again. */
export async function closeShareApi(): Promise<void> {
  const g = globalThis as { [KEY]?: Holder };
  const held = g[KEY];
  delete g[KEY];
  await held?.store.close();
}
