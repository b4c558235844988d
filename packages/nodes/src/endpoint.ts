import { readFileSync } from 'node:fs';

/**
 * TLS toward agents (`wss://`), optional: agents on a private network or in a cluster behind a
 * NetworkPolicy may speak plain `ws://`; across networks the operator gives the agents a
 * certificate (`--tls-cert/--tls-key` or a proxy in front) and the web server the CA that signed it.
 */
export interface TlsOptions {
  /** PEM of the CA that signed the agents' certificates (default: the system's CAs). */
  ca?: string;
  /** Name the agents' certificates carry when it is not the host in the URL (one cert for a fleet). */
  servername?: string;
}

/** One agent the server (or CLI) may talk to. The token never leaves the process that holds it. */
export interface AgentEndpoint {
  /** The node's name: shown to users and written on every record of a fan-out run. */
  name: string;
  /** WebSocket URL of the agent's session endpoint (`ws://host:port/ws` or `wss://…`). */
  url: string;
  token: string;
  tls?: TlsOptions;
}

/** The agent's HTTP base for the same host (`ws:` → `http:`, `wss:` → `https:`), path `/`. */
export function httpBase(url: string): URL {
  const u = new URL(url);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/';
  u.search = '';
  return u;
}

/** Accepts `ws://h:p`, `http://h:p`, with or without `/ws`: the session endpoint, no query. */
export function sessionUrl(raw: string): string {
  const u = new URL(raw);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new Error(`${raw}: an agent URL starts with ws://, wss://, http:// or https://`);
  }
  if (u.search) throw new Error(`${raw}: no query in an agent URL (the token goes in its own column)`);
  if (!u.pathname.endsWith('/ws')) u.pathname = `${u.pathname.replace(/\/$/, '')}/ws`;
  return u.toString();
}

/** A readable default name for a node: `host:port`. */
export function defaultName(url: string): string {
  return new URL(url).host;
}

/** TLS options from the environment-style settings (`BPFPLAY_AGENTS_CA` = a PEM file). */
export function tlsFromFiles(caFile: string | undefined, servername: string | undefined): TlsOptions | undefined {
  if (!caFile && !servername) return undefined;
  return {
    ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
    ...(servername ? { servername } : {}),
  };
}
