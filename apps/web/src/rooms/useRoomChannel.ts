'use client';

import { useEffect, useRef, useState } from 'react';
import { CLOSE_CODES, RoomServerMessage } from '@bpfplay/protocol';
import { reconnectDelayMs } from '../state/socket/backoff';

export type ChannelState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'retrying'; why: string }
  /** `over`: the room ended or was deleted (joining again cannot help); else the credential was refused. */
  | { kind: 'refused'; why: string; over: boolean };

/** Closes that no retry can fix: a wrong credential, a room that is gone or over. */
const OVER = new Set<number>([CLOSE_CODES.notFound, CLOSE_CODES.roomEnded]);
const FINAL = new Set<number>([CLOSE_CODES.unauthorized, ...OVER]);

/**
 * The room channel (server/roomSockets.ts): one WebSocket to the web server, every message parsed
 * against the protocol, reconnecting with the same backoff as the agent connection. `url` null:
 * not connected (no credential yet). The credential goes in `?token=`, as for the agent.
 */
export function useRoomChannel(url: string | null, token: string | null, onMessage: (m: RoomServerMessage) => void) {
  const [state, setState] = useState<ChannelState>({ kind: 'connecting' });
  const socket = useRef<WebSocket | null>(null);
  const handler = useRef(onMessage);
  handler.current = onMessage;

  useEffect(() => {
    if (url === null || token === null) return;
    let attempt = 0;
    let timer: number | undefined;
    let stopped = false;
    const open = () => {
      const u = new URL(url);
      u.searchParams.set('token', token);
      const ws = new WebSocket(u);
      socket.current = ws;
      setState({ kind: 'connecting' });
      ws.onopen = () => {
        attempt = 0;
        setState({ kind: 'open' });
      };
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return;
        try {
          const r = RoomServerMessage.safeParse(JSON.parse(ev.data));
          if (r.success) handler.current(r.data);
        } catch {
          /* not JSON: ignored, the server sends only JSON */
        }
      };
      ws.onclose = (ev) => {
        if (stopped || socket.current !== ws) return;
        socket.current = null;
        if (FINAL.has(ev.code))
          return setState({ kind: 'refused', why: ev.reason || `closed (${ev.code})`, over: OVER.has(ev.code) });
        const delay = reconnectDelayMs(attempt++);
        setState({ kind: 'retrying', why: ev.reason || 'the web server is unreachable' });
        timer = window.setTimeout(open, delay);
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      socket.current?.close(1000, 'page closed');
      socket.current = null;
    };
  }, [url, token]);

  const send = (m: unknown): boolean => {
    const ws = socket.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(m));
    return true;
  };
  return { state, send };
}
