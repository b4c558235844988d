'use client';

import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ClientMessage } from '@bpfplay/protocol';
import { AgentConnection, type SocketLike } from '../state/socket/agentConnection';
import { AgentStore } from '../state/agentStore';
import { WorkerSockets, type WorkerLike } from '../state/socket/workerSockets';
import { LspClient } from '../editor/lsp/client';

const browserClock = {
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number) => window.setTimeout(fn, ms),
  clearTimeout: (h: unknown) => window.clearTimeout(h as number),
};

/**
 * The session store and its WebSocket. Re-renders the caller when the run or connection changes;
 * `now` ticks every 250 ms so countdowns ("retrying in 3 s", "running 12 s / 60 s") move.
 */
export function useAgent(agentUrl: string | null, token: string | null) {
  const store = useMemo(
    () =>
      new AgentStore(
        (fn) => requestAnimationFrame(fn),
        () => performance.now(),
      ),
    [],
  );
  // One socket worker for the page's lifetime (never disposed: React's dev-mode double effects
  // would otherwise terminate the only instance).
  const openSocket = useMemo(() => socketOpener((why) => store.note('warn', why)), [store]);
  // The editor's language features share the socket: their frames go to the LSP client, not the store.
  const lspSend = useMemo(() => ({ current: (_m: ClientMessage): boolean => false }), []);
  const lsp = useMemo(() => new LspClient((m) => lspSend.current(m), browserClock), [lspSend]);
  const connection = useMemo(
    () =>
      new AgentConnection(openSocket, browserClock, {
        onState: (s) => {
          store.setConnection(s);
          lsp.setReady(s.kind === 'ready');
        },
        onMessage: (m) => {
          if (!lsp.receive(m)) store.handle(m);
        },
        onRows: (b) => store.rows(b),
        onProtocolError: (t) => store.note('error', t),
      }),
    [store, openSocket, lsp],
  );
  lspSend.current = (m) => connection.send(m);
  // Coarse: the page re-renders when the run or connection changes, not on every streamed frame.
  const version = useSyncExternalStore(store.subscribe, store.getCoarseVersion, () => 0);

  useEffect(() => {
    if (agentUrl === null) return;
    connection.connect(agentUrl, token);
    return () => connection.disconnect();
  }, [connection, agentUrl, token]);

  const [now, setNow] = useState(0);
  useEffect(() => {
    setNow(performance.now());
    const id = window.setInterval(() => setNow(performance.now()), 250);
    return () => window.clearInterval(id);
  }, []);

  const send = (m: ClientMessage): boolean => connection.send(m);
  return { store, lsp, version, now, send, reconnect: () => agentUrl !== null && connection.connect(agentUrl, token) };
}

/** A WebSocket read on the page; binary events frames as ArrayBuffers, which the inbox reads synchronously. */
function pageSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  return ws as unknown as SocketLike;
}

/**
 * Where WebSockets are opened: in the socket worker (receiving, checking and formatting at 100k
 * records/s then costs the page's thread almost nothing), or on the page when there is no worker.
 */
function socketOpener(onFallback: (why: string) => void): (url: string) => SocketLike {
  if (typeof Worker === 'undefined') return pageSocket;
  try {
    // The literal `new Worker(new URL(...), ...)` form is what the bundler turns into a worker chunk.
    const w = new Worker(new URL('../state/socket/socket.worker.ts', import.meta.url), {
      type: 'module',
      name: 'bpfplay-agent-socket',
    });
    const sockets = new WorkerSockets(w as unknown as WorkerLike, pageSocket, onFallback);
    return (url) => sockets.open(url);
  } catch (e) {
    onFallback(
      `could not start the socket worker (${(e as Error).message}); reading the agent's frames on the page instead`,
    );
    return pageSocket;
  }
}
