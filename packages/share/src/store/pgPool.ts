import pg from 'pg';
import { redactDatabaseUrl } from './config';

/** On globalThis, because Next.js dev re-evaluates modules on every edit and would open new pools each time. */
const KEY = Symbol.for('bpfplay.store.pgPools');

/** Connections one web process keeps to PostgreSQL, shared by every store in it (snippets, rooms). */
const MAX_CONNECTIONS = 10;

/**
 * One pool per database URL per process: the snippet store and any other store (rooms) opened from
 * the same configuration share connections instead of each holding its own ten.
 */
export function sharedPgPool(connectionString: string): pg.Pool {
  const g = globalThis as { [KEY]?: Map<string, pg.Pool> };
  const pools = (g[KEY] ??= new Map());
  let pool = pools.get(connectionString);
  if (!pool) {
    pool = newPgPool(connectionString);
    pools.set(connectionString, pool);
  }
  return pool;
}

/** A pool of its own (tests, tools). Idle connections that the server drops must not crash the process. */
export function newPgPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: MAX_CONNECTIONS, connectionTimeoutMillis: 10_000 });
  // Without a listener, an idle client's error (the server restarted, a failover) is an unhandled
  // 'error' event and ends the web app; the pool replaces the client at the next query anyway.
  pool.on('error', (e) => {
    console.warn(
      `bpfplay: an idle PostgreSQL connection to ${redactDatabaseUrl(connectionString)} failed: ${e.message}`,
    );
  });
  return pool;
}

/** Close every shared pool (graceful shutdown, tests); the next sharedPgPool() opens a new one. */
export async function closeSharedPgPools(): Promise<void> {
  const g = globalThis as { [KEY]?: Map<string, pg.Pool> };
  const pools = [...(g[KEY]?.values() ?? [])];
  g[KEY]?.clear();
  await Promise.all(pools.map((p) => p.end()));
}
