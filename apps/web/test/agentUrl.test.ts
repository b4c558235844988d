import { describe, expect, it } from 'vitest';
import { agentUrlProblem, defaultAgentUrl, socketUrl } from '../src/state/socket/agentUrl';

const loc = (href: string) => {
  const u = new URL(href);
  return { href, protocol: u.protocol, hostname: u.hostname, search: u.search };
};

describe('agent URLs', () => {
  it('defaults to port 7100 on the page host', () => {
    expect(defaultAgentUrl(loc('http://127.0.0.1:3000/'))).toBe('ws://127.0.0.1:7100/ws');
    expect(defaultAgentUrl(loc('https://lab.example:443/'))).toBe('wss://lab.example:7100/ws');
    expect(defaultAgentUrl(loc('http://[::1]:3000/'))).toBe('ws://[::1]:7100/ws');
  });

  it('agent URL checks and the socket URL carry the token', () => {
    expect(agentUrlProblem('nonsense')).toMatch(/is not a URL/);
    expect(agentUrlProblem('wss://x/ws')).toBeNull();
    expect(socketUrl('ws://h:7100/ws', 'a b')).toBe('ws://h:7100/ws?token=a+b');
    expect(socketUrl('ws://h:7100/ws', null)).toBe('ws://h:7100/ws');
  });
});
