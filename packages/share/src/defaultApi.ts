import { createShareApi, type ShareApi } from './api';
import { DEFAULT_SHARE_RATE, RateLimiter } from './rateLimit';
import { databaseConfig } from './store/config';
import { PostgresStore } from './store/postgres';
import type { RoomStore } from './store/rooms';
import { SqliteStore } from './store/sqlite';
import type { StoreOptions } from './store/types';

/** Salt override for ids (see DEFAULT_ID_SALT); most deployments leave it unset. */
export const SALT_ENV = 'BPFPLAY_SNIPPET_SALT';

interface Holder {
  api: ShareApi;
  store: SqliteStore | PostgresStore;
}

/** On globalThis, because Next.js dev re-evaluates modules on every edit and would open the file again each time. */
const KEY = Symbol.for('bpfplay.share.defaultApi');

/**
 * The store databaseConfig() names: SQLite in the data folder (the default), or PostgreSQL when
 * BPFPLAY_DATABASE_URL(_FILE) is set — what several web replicas need to see each other's snippets
 * and rooms. Either way the workshop rooms live beside the snippets (`.rooms`).
 */
export function openSnippetStore(env: Record<string, string | undefined> = process.env): SqliteStore | PostgresStore {
  const salt = env[SALT_ENV];
  const opts: StoreOptions = salt ? { salt } : {};
  const db = databaseConfig(env);
  return db.kind === 'postgres'
    ? new PostgresStore({ connectionString: db.connectionString, ...opts })
    : new SqliteStore({ dataDir: db.dataDir, ...opts });
}

/**
 * The API the web app's route handlers use: openSnippetStore() and the default rate limit, opened
 * on first use and shared by all handlers in the process.
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
  const store = openSnippetStore(env);
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
