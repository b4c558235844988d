import { createShareApi, type ShareApi } from './api';
import { resolveDataDir } from './dataDir';
import { DEFAULT_SHARE_RATE, RateLimiter } from './rateLimit';
import type { RoomStore } from './store/rooms';
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
  return held(env).api;
}

/** Workshop rooms, in the same database as the snippets (the web server's room endpoints and relay). */
export function getRoomStore(env: Record<string, string | undefined> = process.env): RoomStore {
  return held(env).store.rooms;
}

function held(env: Record<string, string | undefined>): Holder {
  const g = globalThis as { [KEY]?: Holder };
  const existing = g[KEY];
  if (existing) return existing;
  const salt = env[SALT_ENV];
  const store = new SqliteStore({ dataDir: resolveDataDir(env), ...(salt ? { salt } : {}) });
  const api = createShareApi({ store, limiter: new RateLimiter(DEFAULT_SHARE_RATE) });
  return (g[KEY] = { api, store });
}

/** Close the default store (tests, graceful shutdown); the next getShareApi() opens it again. */
export async function closeShareApi(): Promise<void> {
  const g = globalThis as { [KEY]?: Holder };
  const held = g[KEY];
  delete g[KEY];
  await held?.store.close();
}
