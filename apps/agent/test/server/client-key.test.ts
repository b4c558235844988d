import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientKeyOf } from '../../src/server/client-key.js';

const req = (peer: string, headers: Record<string, string> = {}) =>
  ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;

describe('who a connection counts as, for per-client session limits', () => {
  it('is the peer address; forwarding headers from anyone else are ignored', () => {
    expect(clientKeyOf(req('203.0.113.7'), [])).toBe('203.0.113.7');
    expect(clientKeyOf(req('::ffff:203.0.113.7'), [])).toBe('203.0.113.7');
    // Spoofing a fresh client per connection must not get a fresh quota.
    expect(
      clientKeyOf(req('203.0.113.7', { 'x-bpfplay-client': 'me-again', 'x-forwarded-for': '198.51.100.1' }), []),
    ).toBe('203.0.113.7');
  });

  it('behind a trusted proxy: the client it names, else the last address it did not add', () => {
    const proxies = ['127.0.0.1', '10.0.0.2'];
    expect(clientKeyOf(req('::ffff:127.0.0.1', { 'x-bpfplay-client': 'learner-7' }), proxies)).toBe('client:learner-7');
    expect(clientKeyOf(req('127.0.0.1', { 'x-forwarded-for': 'spoof, 198.51.100.9, 10.0.0.2' }), proxies)).toBe(
      '198.51.100.9',
    );
    expect(clientKeyOf(req('127.0.0.1'), proxies)).toBe('127.0.0.1');
  });
});
