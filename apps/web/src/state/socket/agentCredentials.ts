import { agentUrlProblem, defaultAgentUrl, type PageLocation } from './agentUrl';

/**
 * Which agent the page talks to, and the one rule about tokens: a token belongs to the agent origin
 * (scheme, host, port) it arrived with, and is only ever sent there. A token is a key to an agent
 * that reads kernel memory; a link naming another agent (`?agent=ws://elsewhere/ws`, in a chat or a
 * blog post) must never make the page hand it over. So:
 *   - tokens are saved per agent origin (`Settings.tokens`), and the socket gets `tokenFor(url)`;
 *   - `?token=` belongs to the agent the same link names (or, without `?agent=`, the current one);
 *   - `?agent=` naming another origin, while this browser already uses an agent or holds a token,
 *     changes nothing until the user confirms it on a visible banner (`pendingSwitch`); the other
 *     agent then gets only its own token — from the link, or one the user enters for it;
 *   - a first visit (no agent chosen, no token saved) follows the link's agent at once: there is
 *     nothing to protect, and it is how the URL the agent prints at start is opened.
 * Every decision is a pure function of the page location and what was saved, tested without a
 * browser; hooks/useConnectionTarget.ts applies them.
 */

/** Tokens by agent origin (`ws://127.0.0.1:7100`). */
export type AgentTokens = Record<string, string>;

export interface SavedAgent {
  /** The agent chosen by the user or a link; null: the default (this page's host, port 7100). */
  agentUrl: string | null;
  tokens: AgentTokens;
}

/** At most this many origins keep a token; the oldest saved go first. */
export const MAX_SAVED_TOKENS = 16;

/** `ws://host:port` of an agent URL; null for something that is not a ws:// or wss:// URL. */
export function agentOrigin(url: string): string | null {
  if (agentUrlProblem(url) !== null) return null;
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** The token saved for the agent at `url`, and no other. */
export function tokenFor(tokens: AgentTokens, url: string): string | null {
  const origin = agentOrigin(url);
  return origin !== null && Object.prototype.hasOwnProperty.call(tokens, origin) ? tokens[origin]! : null;
}

/** `tokens` with `token` saved for the agent at `url` (null removes it). */
export function withToken(tokens: AgentTokens, url: string, token: string | null): AgentTokens {
  const origin = agentOrigin(url);
  if (origin === null) return tokens;
  const { [origin]: _old, ...rest } = tokens;
  if (token === null || token === '') return rest;
  const kept = Object.entries(rest).slice(-(MAX_SAVED_TOKENS - 1));
  return { ...Object.fromEntries(kept), [origin]: token };
}

export interface PendingSwitch {
  /** The agent the link names. */
  agentUrl: string;
  /** A token the link carried for that agent, if any. */
  token: string | null;
}

export interface ConnectionPlan {
  /** The agent to connect to now. */
  agentUrl: string;
  /** What to save (URL parameters applied, never a token moved to another origin). */
  save: SavedAgent;
  /** The page URL without `token` and `agent`, for history.replaceState; null when there is nothing to remove. */
  cleanedHref: string | null;
  /** A `?agent=` value that is not a ws:// or wss:// URL. */
  agentParamError: string | null;
  /** `?agent=` named another agent: nothing changes until the user confirms. */
  pendingSwitch: PendingSwitch | null;
}

export function planConnection(loc: PageLocation, saved: SavedAgent): ConnectionPlan {
  const url = new URL(loc.href);
  const tokenParam = url.searchParams.get('token') || null;
  const agentParam = url.searchParams.get('agent');
  const agentParamError = agentParam === null ? null : agentUrlProblem(agentParam);
  const current = saved.agentUrl ?? defaultAgentUrl(loc);
  let cleanedHref: string | null = null;
  if (url.searchParams.has('token') || url.searchParams.has('agent')) {
    url.searchParams.delete('token');
    url.searchParams.delete('agent');
    cleanedHref = url.toString();
  }
  const linked = agentParam !== null && agentParamError === null ? agentParam : null;
  const same = linked === null || agentOrigin(linked) === agentOrigin(current);
  if (same) {
    const agentUrl = linked ?? current;
    return {
      agentUrl,
      save: {
        agentUrl: linked ?? saved.agentUrl,
        tokens: tokenParam === null ? saved.tokens : withToken(saved.tokens, agentUrl, tokenParam),
      },
      cleanedHref,
      agentParamError,
      pendingSwitch: null,
    };
  }
  const firstVisit = saved.agentUrl === null && Object.keys(saved.tokens).length === 0;
  if (firstVisit) {
    return {
      agentUrl: linked,
      save: { agentUrl: linked, tokens: tokenParam === null ? {} : withToken({}, linked, tokenParam) },
      cleanedHref,
      agentParamError,
      pendingSwitch: null,
    };
  }
  return {
    agentUrl: current,
    save: saved,
    cleanedHref,
    agentParamError,
    pendingSwitch: { agentUrl: linked, token: tokenParam },
  };
}

/** The user confirmed the switch: that agent from now on, with its own token (the link's, or one saved before). */
export function acceptSwitch(saved: SavedAgent, pending: PendingSwitch): SavedAgent {
  return {
    agentUrl: pending.agentUrl,
    tokens: pending.token === null ? saved.tokens : withToken(saved.tokens, pending.agentUrl, pending.token),
  };
}

/** What the banner asking for the switch says. */
export function switchQuestion(current: string, pending: PendingSwitch): string {
  const currentOrigin = agentOrigin(current) ?? current;
  const needs = pending.token
    ? 'the link carries a token for it'
    : 'you will need a token for it (the URL that agent printed at start)';
  return `This link asks to connect to another agent, ${pending.agentUrl}. Your token for ${currentOrigin} stays with that agent and is never sent elsewhere; ${needs}.`;
}
