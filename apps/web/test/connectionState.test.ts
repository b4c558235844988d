import { describe, expect, it } from 'vitest';
import {
  connectionBanner,
  connectionReducer,
  connectionStatus,
  initialConnection,
  type ConnectionState,
} from '../src/state/socket/connectionState';
import { hello } from './fixtures';

const url = 'ws://127.0.0.1:7100/ws';
const origin = 'http://127.0.0.1:3000';

function closeWith(
  state: ConnectionState,
  code: number,
  reason = '',
  neverOpened = false,
  now = 1000,
  tokenSent = true,
) {
  return connectionReducer(state, { type: 'closed', close: { code, reason, neverOpened, tokenSent }, now });
}

describe('connection state machine', () => {
  it('connect → open → hello is ready', () => {
    let s = connectionReducer(initialConnection, { type: 'connect', url });
    s = connectionReducer(s, { type: 'opened' });
    expect(s.kind).toBe('handshake');
    s = connectionReducer(s, { type: 'hello', hello });
    expect(s).toMatchObject({ kind: 'ready', url });
    expect(connectionBanner(s, 0, origin)).toBeNull();
  });

  it('an unreachable agent retries with growing delays and says when', () => {
    let s = connectionReducer(initialConnection, { type: 'connect', url });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      s = closeWith(s, 1006, '', true, 5000);
      if (s.kind !== 'retrying') throw new Error(`expected retrying, got ${s.kind}`);
      delays.push(s.delayMs);
      if (i === 2) {
        expect(connectionBanner(s, 5000, origin)?.text).toBe(
          'agent unreachable at ws://127.0.0.1:7100/ws — retrying in 1 s. Is the agent running? Start it with `npm start`.',
        );
      }
      s = connectionReducer(s, { type: 'retry-due' });
      expect(s.kind).toBe('connecting');
    }
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it('a wrong token (4401) stops retrying and says to open the printed URL', () => {
    let s = connectionReducer(initialConnection, { type: 'connect', url });
    s = connectionReducer(s, { type: 'opened' });
    s = closeWith(s, 4401, 'token does not match');
    expect(s.kind).toBe('refused');
    expect(connectionReducer(s, { type: 'retry-due' })).toBe(s);
    const b = connectionBanner(s, 0, origin)!;
    expect(b.level).toBe('error');
    expect(b.text).toMatch(/^Wrong token — open the URL the agent printed/);
    expect(b.text).toContain('token does not match');
  });

  it('a refused origin (4403) names the origin and the flag that allows it', () => {
    let s = connectionReducer(initialConnection, { type: 'connect', url });
    s = closeWith(s, 4403, 'origin not allowed');
    expect(connectionBanner(s, 0, origin)?.text).toContain('--allow-origin http://127.0.0.1:3000');
  });

  it('a healthy connection that drops starts the backoff from the beginning', () => {
    let s = connectionReducer(initialConnection, { type: 'connect', url });
    s = closeWith(s, 1006, '', true);
    s = connectionReducer(s, { type: 'retry-due' });
    s = closeWith(s, 1006, '', true);
    s = connectionReducer(s, { type: 'retry-due' });
    s = connectionReducer(s, { type: 'opened' });
    s = connectionReducer(s, { type: 'hello', hello });
    s = closeWith(s, 1001, 'agent restarting');
    expect(s).toMatchObject({ kind: 'retrying', attempt: 0, delayMs: 100 });
    expect(connectionBanner(s, 1000, origin)?.text).toContain(
      'connection to agent closed (code 1001: agent restarting)',
    );
  });

  it('says "ready" in the status bar only when it is, and otherwise what to do', () => {
    let s = connectionReducer(initialConnection, { type: 'connect', url });
    expect(connectionStatus(s, 0).text).toBe(`connecting to the agent at ${url}…`);
    s = closeWith(s, 1006, '', true, 0);
    expect(connectionStatus(s, 0)).toEqual({
      text: `agent unreachable at ${url} — retrying in 1 s; is it running? (npm start)`,
      tone: 'error',
    });
    expect(connectionStatus(initialConnection, 0).text).toMatch(/^no agent/);
    s = connectionReducer(s, { type: 'retry-due' });
    s = connectionReducer(s, { type: 'hello', hello });
    expect(connectionStatus(s, 0).text).toBe('ready — Ctrl+Enter runs the snippet');
  });

  it('someone with no token is told there is none, not that it is wrong', () => {
    const s = closeWith(
      connectionReducer(initialConnection, { type: 'connect', url }),
      4401,
      'wrong or missing token',
      false,
      0,
      false,
    );
    expect(s).toMatchObject({ kind: 'refused', tokenSent: false });
    expect(connectionBanner(s, 0, origin)?.text).toMatch(/^No token — .*enter the token in Settings/);
    expect(connectionStatus(s, 0).text).toMatch(/^no token — /);
    const wrong = closeWith(connectionReducer(initialConnection, { type: 'connect', url }), 4401, '', false, 0, true);
    expect(connectionStatus(wrong, 0).text).toMatch(/^wrong token — /);
  });
});
