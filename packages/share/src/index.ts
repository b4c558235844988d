/**
 * @bpfplay/share, browser-safe part: link formats, Markdown, tar. Server-side pieces (ids, stores,
 * rate limit, HTTP handlers) are in '@bpfplay/share/server' so a client bundle never pulls in
 * node:crypto or the SQLite addon.
 */
export * from './state';
export * from './fragment';
export * from './links';
export * from './tar';
export * from './idFormat';
export * from './limits';
export * from './zip';
