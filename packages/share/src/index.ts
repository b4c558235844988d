/**
 * @bpfplay/share, browser-safe part: link formats, Markdown, tar. Server-side pieces (ids, stores,
 * rate limit, HTTP handlers) are in '@bpfplay/share/server' so a client bundle never pulls in
 * node:crypto or the SQLite addon.
 */
export * from './state.js';
export * from './fragment.js';
export * from './links.js';
export * from './tar.js';
export * from './idFormat.js';
export * from './limits.js';
export * from './zip.js';
