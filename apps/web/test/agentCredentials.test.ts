import { describe, expect, it } from 'vitest';
import {
  acceptSwitch,
  agentOrigin,
  MAX_SAVED_TOKENS,
  planConnection,
  tokenFor,
  withToken,
  type SavedAgent,
} from '../src/state/socket/agentCredentials';

const loc = (href: string) => {
  const u = new URL(href);
  return { href, protocol: u.protocol, hostname: u.hostname, search: u.search };
};
const PAGE = 'http://127.0.0.1:3000/';
const fresh: SavedAgent = { agentUrl: null, tokens: {} };
/** A browser that opened the playground once with its tokened URL (default agent). */
const used: SavedAgent = { agentUrl: null, tokens: { 'ws://127.0.0.1:7100': 's3cret' } };
const evil = 'ws://attacker.example:7100/ws';

describe('a token belongs to the agent origin it came with', () => {
  it('keys tokens by scheme, host and port, and gives each agent only its own', () => {
    expect(agentOrigin('ws://h:7100/ws?x=1')).toBe('ws://h:7100');
    expect(agentOrigin('wss://h/ws')).toBe('wss://h');
    expect(agentOrigin('http://h/ws')).toBeNull();
    const t = withToken(withToken({}, 'ws://a:1/ws', 'A'), 'ws://b:2/x', 'B');
    expect(tokenFor(t, 'ws://a:1/other')).toBe('A');
    expect(tokenFor(t, 'ws://b:2/ws')).toBe('B');
    expect(tokenFor(t, 'ws://a:2/ws')).toBeNull();
    expect(tokenFor(t, 'wss://a:1/ws')).toBeNull();
    expect(tokenFor(withToken(t, 'ws://a:1/ws', null), 'ws://a:1/ws')).toBeNull();
    let many = {};
    for (let i = 0; i < MAX_SAVED_TOKENS + 5; i++) many = withToken(many, `ws://h${i}:1/ws`, `t${i}`);
    expect(Object.keys(many)).toHaveLength(MAX_SAVED_TOKENS);
  });

  it('saves the token of the printed URL for its agent and strips token and agent from the address bar', () => {
    const r = planConnection(loc(`${PAGE}?token=s3cret&example=hello`), fresh);
    expect(r).toMatchObject({ agentUrl: 'ws://127.0.0.1:7100/ws', pendingSwitch: null });
    expect(r.save).toEqual({ agentUrl: null, tokens: { 'ws://127.0.0.1:7100': 's3cret' } });
    expect(r.cleanedHref).toBe(`${PAGE}?example=hello`);
    const withAgent = planConnection(loc(`${PAGE}?token=T&agent=ws://127.0.0.1:7200/ws`), fresh);
    expect(withAgent.save).toEqual({ agentUrl: 'ws://127.0.0.1:7200/ws', tokens: { 'ws://127.0.0.1:7200': 'T' } });
    expect(withAgent.cleanedHref).toBe(PAGE);
  });

  it('never sends a saved token to the agent a link names: that waits for the user, the token stays put', () => {
    for (const href of [`${PAGE}?agent=${encodeURIComponent(evil)}`, `${PAGE}?agent=${evil}&token=theirs`]) {
      const r = planConnection(loc(href), used);
      expect(r.agentUrl, href).toBe('ws://127.0.0.1:7100/ws');
      expect(r.save, href).toBe(used);
      expect(r.pendingSwitch?.agentUrl).toBe(evil);
      expect(r.cleanedHref).toBe(PAGE);
    }
    // After a plain reload nothing changed.
    expect(planConnection(loc(PAGE), used)).toMatchObject({ agentUrl: 'ws://127.0.0.1:7100/ws', pendingSwitch: null });
  });

  it('a confirmed switch gives the other agent its own token only, and the old one keeps its own', () => {
    const r = planConnection(loc(`${PAGE}?agent=${evil}`), used);
    const after = acceptSwitch(used, r.pendingSwitch!);
    expect(after.agentUrl).toBe(evil);
    expect(tokenFor(after.tokens, evil)).toBeNull();
    expect(tokenFor(after.tokens, 'ws://127.0.0.1:7100/ws')).toBe('s3cret');
    const carried = acceptSwitch(used, planConnection(loc(`${PAGE}?agent=${evil}&token=theirs`), used).pendingSwitch!);
    expect(tokenFor(carried.tokens, evil)).toBe('theirs');
    // Back on the first agent, its own token again.
    const back = planConnection(loc(`${PAGE}?agent=ws://127.0.0.1:7100/ws`), carried);
    expect(back.pendingSwitch?.agentUrl).toBe('ws://127.0.0.1:7100/ws');
    expect(tokenFor(acceptSwitch(carried, back.pendingSwitch!).tokens, 'ws://127.0.0.1:7100/ws')).toBe('s3cret');
  });

  it('a ?token= without ?agent= belongs to the agent in use, not to the one a link might name later', () => {
    const r = planConnection(loc(`${PAGE}?token=new`), { agentUrl: 'ws://10.1.1.1:7100/ws', tokens: {} });
    expect(r.save.tokens).toEqual({ 'ws://10.1.1.1:7100': 'new' });
  });

  it('a bad ?agent= is reported and ignored', () => {
    const r = planConnection(loc(`${PAGE}?agent=http://node2`), fresh);
    expect(r.agentParamError).toBe('agent URL must start with ws:// or wss://, got http://');
    expect(r.agentUrl).toBe('ws://127.0.0.1:7100/ws');
  });
});
