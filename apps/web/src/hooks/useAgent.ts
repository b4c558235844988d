'use client';

import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ClientMessage } from '@bpfplay/protocol';
import { AgentConnection, type SocketLike } from '../state/agentSocket';
import { Session } from '../state/session';
import { WorkerParser, inlineParser, type FrameParser, type WorkerLike } from '../state/frameParser';

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
  const session = useMemo(() => new Session((fn) => requestAnimationFrame(fn), () => performance.now()), []);
  // One parsing worker for the page's lifetime (never disposed: React's dev-mode double effects
  // would otherwise terminate the only instance).
  const parser = useMemo(() => makeParser((why) => session.note('warn', why)), [session]);
  const connection = useMemo(
    () =>
      new AgentConnection(
        (url) => new WebSocket(url) as unknown as SocketLike,
        browserClock,
        {
          onState: (s) => session.setConnection(s),
          onMessage: (m) => session.handle(m),
          onProtocolError: (t) => session.note('error', t),
        },
        parser,
      ),
    [session, parser],
  );
  // Coarse: the page re-renders when the run or connection changes, not on every streamed frame.
  const version = useSyncExternalStore(session.subscribe, session.getCoarseVersion, () => 0);

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
  return { session, version, now, send, reconnect: () => agentUrl !== null && connection.connect(agentUrl, token) };
}

function makeParser(onFallback: (why: string) => void): FrameParser {
  if (typeof Worker === 'undefined') return inlineParser;
  try {
    // The literal `new Worker(new URL(...), ...)` form is what the bundler turns into a worker chunk.
    const w = new Worker(new URL('../state/parse.worker.ts', import.meta.url), { type: 'module', name: 'bpfplay-frame-parser' });
    return new WorkerParser(w as unknown as WorkerLike, onFallback);
  } catch (e) {
    onFallback(`could not start the parsing worker (${(e as Error).message}); parsing on the page instead`);
    return inlineParser;
  }
}
