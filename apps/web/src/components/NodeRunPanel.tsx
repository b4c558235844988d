'use client';

import { useEffect, useRef, useState } from 'react';
import { parseServerMessage } from '@bpfplay/protocol';
import { STARTER_FILES } from '../examples/starter';
import { applyNodeFrame, newNodeRun, type NodeRunView } from '../state/nodeRun';

/** The room credential the run goes with: from the page's fragment, so it reaches no server log. */
export interface RoomCredential {
  room: string;
  token: string;
  /** Absent: the instructor's key. */
  learner?: string;
}

/** `#room=<id>&token=<key>[&learner=<id>]`, as the room pages link here. */
export function credentialFromHash(hash: string): RoomCredential | undefined {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const room = p.get('room');
  const token = p.get('token');
  if (!room || !token) return undefined;
  const learner = p.get('learner');
  return { room, token, ...(learner ? { learner } : {}) };
}

const ALL = '*';

/**
 * Run one program on one node or on all, from the browser, through the web server
 * (server/nodeRuns.ts): each node's state and errors side by side, then the records of every node
 * in one list, each labelled with its node.
 */
export function NodeRunPanel({ nodes }: { nodes: { name: string; health: string }[] }) {
  const [cred, setCred] = useState<RoomCredential | undefined>();
  const [source, setSource] = useState(STARTER_FILES[0]!.content);
  const [target, setTarget] = useState(ALL);
  const [seconds, setSeconds] = useState(5);
  const [view, setView] = useState<NodeRunView | undefined>();
  const [closed, setClosed] = useState<string | undefined>();
  const socket = useRef<WebSocket | null>(null);

  useEffect(() => {
    const read = () => setCred(credentialFromHash(window.location.hash));
    read();
    window.addEventListener('hashchange', read);
    return () => {
      window.removeEventListener('hashchange', read);
      socket.current?.close();
    };
  }, []);

  if (!cred) {
    return (
      <p className="muted" data-testid="node-run-locked">
        To run a program on these nodes, open this page from a room (its link carries the room&apos;s credential).
      </p>
    );
  }

  const running = view !== undefined && !view.done;
  const run = () => {
    socket.current?.close();
    const runId = `n${Date.now().toString(36)}`;
    setView(newNodeRun(runId));
    setClosed(undefined);
    const q = new URLSearchParams({
      node: target,
      token: cred.token,
      ...(cred.learner ? { learner: cred.learner } : {}),
    });
    const ws = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rooms/${encodeURIComponent(cred.room)}/ws/nodes?${q}`,
    );
    socket.current = ws;
    ws.onopen = () =>
      ws.send(
        JSON.stringify({
          type: 'run',
          runId,
          snippet: { files: [{ name: 'hello.bpf.c', content: source }] },
          options: { durationSec: seconds },
        }),
      );
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      const parsed = parseServerMessage(e.data);
      if (parsed.ok) setView((v) => (v ? applyNodeFrame(v, parsed.message) : v));
    };
    ws.onclose = (e) => {
      if (socket.current === ws) socket.current = null;
      if (e.code !== 1000 && e.code !== 1005) setClosed(e.reason || `connection closed (${e.code})`);
      setView((v) => (v && !v.done ? { ...v, done: true } : v));
    };
  };
  const stop = () => socket.current?.send(JSON.stringify({ type: 'stop', runId: view!.runId }));

  return (
    <section className="node-run" aria-label="run on nodes">
      <h2>Run on nodes</h2>
      <textarea
        className="mono node-run-source"
        value={source}
        onChange={(e) => setSource(e.target.value)}
        rows={12}
        spellCheck={false}
        aria-label="program"
      />
      <div className="node-run-controls">
        <label>
          on{' '}
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="node-run-target">
            <option value={ALL}>every node that is up</option>
            {nodes.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
                {n.health === 'up' ? '' : ` (${n.health})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          for{' '}
          <input
            type="number"
            min={1}
            max={60}
            value={seconds}
            onChange={(e) => setSeconds(Number(e.target.value) || 5)}
          />{' '}
          s
        </label>
        {running ? (
          <button onClick={stop} data-testid="node-run-stop">
            Stop
          </button>
        ) : (
          <button onClick={run} data-testid="node-run-start">
            Run
          </button>
        )}
      </div>
      {closed && <p className="error-text">{closed}</p>}
      {view?.error && <p className="error-text">{view.error}</p>}
      {view?.summary && (
        <p className="muted" data-testid="node-run-summary">
          {view.summary}
        </p>
      )}
      {view && (
        <div className="node-run-columns">
          {Object.values(view.nodes).map((c) => (
            <div key={c.node} className="node-run-column" data-testid={`node-run-${c.node}`} data-state={c.state}>
              <h3 className="mono">{c.node}</h3>
              <p>
                <span className="node-run-state">{c.state}</span>
                {c.kernel && <span className="muted small"> · {c.kernel}</span>}
              </p>
              <p className="muted small">
                {c.printk} printk · {c.events} events
              </p>
              {c.error && <p className="error-text small">{c.error}</p>}
              {c.warnings.map((w, i) => (
                <p key={i} className="warn-text small">
                  {w}
                </p>
              ))}
            </div>
          ))}
        </div>
      )}
      {view && view.records.length > 0 && (
        <div className="nodes-table-wrap">
          <table className="nodes-table" data-testid="node-run-records">
            <thead>
              <tr>
                <th>node</th>
                <th>t (ms)</th>
                <th>record</th>
              </tr>
            </thead>
            <tbody>
              {view.records.map((r, i) => (
                <tr key={i}>
                  <td className="mono">{r.node}</td>
                  <td className="mono">{r.t.toFixed(0)}</td>
                  <td className="mono">{r.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
