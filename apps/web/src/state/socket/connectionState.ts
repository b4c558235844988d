import { CLOSE_CODES, type ServerMessageOf } from '@bpfplay/protocol';
import { reconnectDelayMs } from './backoff';

export type Hello = ServerMessageOf<'hello'>;

/**
 * The connection to one agent, as a pure state machine. `AgentConnection` (agentConnection.ts) performs
 * the I/O and feeds events in; the UI renders banners from the state alone, so every banner a user
 * can see is reachable from a unit test.
 */
export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting'; url: string; attempt: number }
  /** Socket open, `hello` not yet received. */
  | { kind: 'handshake'; url: string; attempt: number }
  | { kind: 'ready'; url: string; hello: Hello }
  | { kind: 'retrying'; url: string; attempt: number; delayMs: number; retryAt: number; lastClose: CloseInfo }
  | { kind: 'refused'; url: string; code: number; reason: string };

export interface CloseInfo {
  code: number;
  reason: string;
  /** The socket never opened (connection refused, DNS, wrong port). */
  neverOpened: boolean;
}

export type ConnectionEvent =
  | { type: 'connect'; url: string }
  | { type: 'opened' }
  | { type: 'hello'; hello: Hello }
  | { type: 'closed'; close: CloseInfo; now: number }
  | { type: 'retry-due' }
  | { type: 'disconnect' };

export const initialConnection: ConnectionState = { kind: 'idle' };

export function connectionReducer(state: ConnectionState, ev: ConnectionEvent): ConnectionState {
  switch (ev.type) {
    case 'connect':
      return { kind: 'connecting', url: ev.url, attempt: 0 };
    case 'disconnect':
      return { kind: 'idle' };
    case 'opened':
      if (state.kind !== 'connecting') return state;
      return { kind: 'handshake', url: state.url, attempt: state.attempt };
    case 'hello':
      if (state.kind !== 'handshake' && state.kind !== 'connecting') return state;
      return { kind: 'ready', url: state.url, hello: ev.hello };
    case 'closed': {
      if (state.kind === 'idle' || state.kind === 'refused' || state.kind === 'retrying') return state;
      const { code, reason } = ev.close;
      if (code === CLOSE_CODES.unauthorized || code === CLOSE_CODES.forbiddenOrigin) {
        return { kind: 'refused', url: state.url, code, reason };
      }
      // A connection that reached `hello` was healthy: start the backoff over.
      const attempt = state.kind === 'ready' ? 0 : state.attempt;
      const delayMs = reconnectDelayMs(attempt);
      return { kind: 'retrying', url: state.url, attempt, delayMs, retryAt: ev.now + delayMs, lastClose: ev.close };
    }
    case 'retry-due':
      if (state.kind !== 'retrying') return state;
      return { kind: 'connecting', url: state.url, attempt: state.attempt + 1 };
  }
}

export interface Banner {
  level: 'error' | 'warning' | 'info';
  text: string;
}

/** What the banner above the editor says for a state; null when there is nothing to say. */
export function connectionBanner(state: ConnectionState, now: number, origin: string): Banner | null {
  switch (state.kind) {
    case 'idle':
      return { level: 'info', text: 'Not connected to an agent — set its URL in Settings.' };
    case 'connecting':
    case 'handshake':
      // The first try is silent: a banner flashing for 20 ms on every page load would be noise.
      if (state.attempt === 0) return null;
      return { level: 'warning', text: `Connecting to agent at ${state.url} (try ${state.attempt + 1})…` };
    case 'ready':
      return null;
    case 'retrying': {
      const secs = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      const why =
        state.lastClose.neverOpened || state.lastClose.code === 1006
          ? 'agent unreachable'
          : `connection to agent closed (${describeClose(state.lastClose)})`;
      return {
        level: 'error',
        text: `${why} at ${state.url} — retrying in ${secs} s. Is the agent running? Start it with \`npm start\`.`,
      };
    }
    case 'refused':
      if (state.code === CLOSE_CODES.unauthorized) {
        return {
          level: 'error',
          text: `Wrong token — open the URL the agent printed (it ends in ?token=…).${state.reason ? ` Agent said: ${state.reason}` : ''}`,
        };
      }
      return {
        level: 'error',
        text: `The agent at ${state.url} refused this page's origin ${origin} — restart it with --allow-origin ${origin}.${state.reason ? ` Agent said: ${state.reason}` : ''}`,
      };
  }
}

function describeClose(c: CloseInfo): string {
  return c.reason ? `code ${c.code}: ${c.reason}` : `code ${c.code}`;
}
