import { describe, expect, it } from 'vitest';
import { agentUrlProblem, defaultAgentUrl, resolveConnection, socketUrl } from '../src/state/socket/agentUrl';

const loc = (href: string) => {
  const u = new URL(href);
  return { href, protocol: u.protocol, hostname: u.hostname, search: u.search };
};
const none = { agentUrl: null, token: null };

describe('which agent and token the page uses', () => {
  it('defaults to port 7100 on the page host', () => {
    expect(defaultAgentUrl(loc('http://127.0.0.1:3000/'))).toBe('ws://127.0.0.1:7100/ws');
    expect(defaultAgentUrl(loc('https://lab.example:443/'))).toBe('wss://lab.example:7100/ws');
    expect(defaultAgentUrl(loc('http://[::1]:3000/'))).toBe('ws://[::1]:7100/ws');
  });

  it('takes the token from the printed URL, saves it, and strips it from the address bar', () => {
    const r = resolveConnection(loc('http://127.0.0.1:3000/?token=s3cret&example=hello'), none);
    expect(r.token).toBe('s3cret');
    expect(r.save).toEqual({ agentUrl: null, token: 's3cret' });
    expect(r.cleanedHref).toBe('http://127.0.0.1:3000/?example=hello');
  });

  it('uses the saved token when the URL has none, and leaves the address bar alone', () => {
    const r = resolveConnection(loc('http://127.0.0.1:3000/'), { agentUrl: 'ws://10.1.1.1:7100/ws', token: 'old' });
    expect(r).toMatchObject({ agentUrl: 'ws://10.1.1.1:7100/ws', token: 'old', cleanedHref: null });
  });

  it('?agent= points the page at another agent and is saved', () => {
    const r = resolveConnection(loc('http://127.0.0.1:3000/?agent=ws://node2:7200/ws'), none);
    expect(r.agentUrl).toBe('ws://node2:7200/ws');
    expect(r.save.agentUrl).toBe('ws://node2:7200/ws');
  });

  it('a bad ?agent= is reported and ignored', () => {
    const r = resolveConnection(loc('http://127.0.0.1:3000/?agent=http://node2'), none);
    expect(r.agentParamError).toBe('agent URL must start with ws:// or wss://, got http://');
    expect(r.agentUrl).toBe('ws://127.0.0.1:7100/ws');
  });

  it('agent URL checks and the socket URL carry the token', () => {
    expect(agentUrlProblem('nonsense')).toMatch(/is not a URL/);
    expect(agentUrlProblem('wss://x/ws')).toBeNull();
    expect(socketUrl('ws://h:7100/ws', 'a b')).toBe('ws://h:7100/ws?token=a+b');
    expect(socketUrl('ws://h:7100/ws', null)).toBe('ws://h:7100/ws');
  });
});
