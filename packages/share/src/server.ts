/** @bpfplay/share/server: Node-only. Everything in the browser-safe entry, plus storage and HTTP handlers. */
export * from './index.js';
export * from './id.js';
export * from './rateLimit.js';
export * from './api.js';
export * from './dataDir.js';
export * from './defaultApi.js';
export * from './store/types.js';
export * from './store/memory.js';
export * from './store/sqlite.js';
export { MIGRATIONS, SCHEMA_VERSION } from './store/migrations.js';
