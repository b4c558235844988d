/** The agent's default port (apps/agent's default); the web app assumes it runs on the page's host. */
export const DEFAULT_AGENT_PORT = 7100;

export interface PageLocation {
  href: string;
  protocol: string;
  hostname: string;
  search: string;
}

export function defaultAgentUrl(loc: Pick<PageLocation, 'protocol' | 'hostname'>): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const host =
    loc.hostname.includes(':') && !loc.hostname.startsWith('[') ? `[${loc.hostname}]` : loc.hostname || '127.0.0.1';
  return `${scheme}://${host}:${DEFAULT_AGENT_PORT}/ws`;
}

/** Null when `url` is usable as an agent URL, else what is wrong with it. */
export function agentUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL; expected something like ws://127.0.0.1:${DEFAULT_AGENT_PORT}/ws`;
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    return `agent URL must start with ws:// or wss://, got ${u.protocol}//`;
  return null;
}

/** The URL the WebSocket actually opens: the agent URL plus `?token=` (agentCredentials.ts decides which token). */
export function socketUrl(agentUrl: string, token: string | null): string {
  const u = new URL(agentUrl);
  if (token !== null) u.searchParams.set('token', token);
  return u.toString();
}
