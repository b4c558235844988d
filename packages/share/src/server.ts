/** @bpfplay/share/server: Node-only. Everything in the browser-safe entry, plus storage and HTTP handlers. */
export * from './index';
export * from './id';
export * from './rateLimit';
export * from './api';
export * from './request';
export * from './dataDir';
export * from './defaultApi';
export * from './store/types';
export * from './store/memory';
export * from './store/sqlite';
export * from './store/rooms';
export * from './store/postgres';
export * from './store/pgRooms';
export * from './store/config';
export { sharedPgPool, newPgPool, closeSharedPgPools } from './store/pgPool';
export { migratePostgres, SNIPPET_PG_MIGRATIONS, ROOM_PG_MIGRATIONS, type PgMigrations } from './store/pgMigrations';
export { MIGRATIONS, SCHEMA_VERSION } from './store/migrations';
