/** The agent's default port (apps/agent's default); the web app assumes it runs on the page's host. */
export const DEFAULT_AGENT_PORT = 7100;

export interface PageLocation {
  href: string;
  protocol: string;
  hostname: string;
  search: string;
}

export interface SavedConnection {
  agentUrl: string | null;
  token: string | null;
}

export interface ResolvedConnection {
  /** The agent's WebSocket URL without the token. */
  agentUrl: string;
  token: string | null;
  /** What to save: URL parameters win over what was saved before. */
  save: SavedConnection;
  /** The page URL with `token` removed, for history.replaceState; null when nothing to remove. */
  cleanedHref: string | null;
  /** A `?agent=` value that is not a ws:// or wss:// URL. */
  agentParamError: string | null;
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

/**
 * Work out which agent to talk to and with which token, from the page URL (the agent prints
 * `http://host:3000/?token=T`, optionally `&agent=ws://...`) and what was saved before. Takes the
 * location as a value so it is testable without a browser.
 */
export function resolveConnection(loc: PageLocation, saved: SavedConnection): ResolvedConnection {
  const url = new URL(loc.href);
  const tokenParam = url.searchParams.get('token');
  const agentParam = url.searchParams.get('agent');
  let agentParamError: string | null = null;
  let agentUrl = saved.agentUrl ?? defaultAgentUrl(loc);
  if (agentParam !== null) {
    agentParamError = agentUrlProblem(agentParam);
    if (agentParamError === null) agentUrl = agentParam;
  }
  const token = tokenParam !== null && tokenParam !== '' ? tokenParam : saved.token;
  let cleanedHref: string | null = null;
  if (tokenParam !== null) {
    url.searchParams.delete('token');
    cleanedHref = url.toString();
  }
  return {
    agentUrl,
    token,
    save: { agentUrl: agentParam !== null && agentParamError === null ? agentParam : saved.agentUrl, token },
    cleanedHref,
    agentParamError,
  };
}

/** The URL the WebSocket actually opens: the agent URL plus `?token=`. */
export function socketUrl(agentUrl: string, token: string | null): string {
  const u = new URL(agentUrl);
  if (token !== null) u.searchParams.set('token', token);
  return u.toString();
}
