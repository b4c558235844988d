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
  /** `tokenSent: false`: the page had no token to send (someone opened the bare URL). */
  | { kind: 'refused'; url: string; code: number; reason: string; tokenSent: boolean };

export interface CloseInfo {
  code: number;
  reason: string;
  /** The socket never opened (connection refused, DNS, wrong port). */
  neverOpened: boolean;
  /** Whether the page sent a token at all (absent: it did). */
  tokenSent?: boolean;
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
        return { kind: 'refused', url: state.url, code, reason, tokenSent: ev.close.tokenSent ?? true };
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
      if (state.code === CLOSE_CODES.unauthorized && !state.tokenSent) {
        return {
          level: 'error',
          text: 'No token — the agent needs the token it printed at start: open the URL it printed (it ends in ?token=…), or enter the token in Settings (⚙).',
        };
      }
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

/**
 * The connection in the status bar's few words, where people look before pressing Run: `ready`
 * only when it is, otherwise what is wrong and what to do about it.
 */
export function connectionStatus(
  state: ConnectionState,
  now: number,
): { text: string; tone: 'muted' | 'active' | 'error' } {
  switch (state.kind) {
    case 'ready':
      return { text: 'ready — Ctrl+Enter runs the snippet', tone: 'muted' };
    case 'idle':
      return { text: 'no agent — set its URL in Settings (⚙)', tone: 'error' };
    case 'connecting':
    case 'handshake':
      return { text: `connecting to the agent at ${state.url}…`, tone: 'active' };
    case 'retrying': {
      const secs = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      return {
        text: `agent unreachable at ${state.url} — retrying in ${secs} s; is it running? (npm start)`,
        tone: 'error',
      };
    }
    case 'refused':
      if (state.code !== CLOSE_CODES.unauthorized)
        return { text: 'the agent refused this page’s origin — see the banner for the flag to add', tone: 'error' };
      return state.tokenSent
        ? { text: 'wrong token — open the URL the agent printed, or fix it in Settings (⚙)', tone: 'error' }
        : { text: 'no token — open the URL the agent printed, or enter it in Settings (⚙)', tone: 'error' };
  }
}

function describeClose(c: CloseInfo): string {
  return c.reason ? `code ${c.code}: ${c.reason}` : `code ${c.code}`;
}
