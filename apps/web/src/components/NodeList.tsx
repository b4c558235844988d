'use client';

import { useEffect, useState } from 'react';
import type { NodesResponse } from '../server/nodes';
import { nodeRow, nodesHeadline } from '../state/nodeRows';
import { NodeRunPanel } from './NodeRunPanel';

/** The registry refreshes every few seconds on the server; asking more often would show nothing new. */
const POLL_MS = 5000;

/** `renderedAt`: the server's clock when it rendered `initial`, so "4 s ago" hydrates to the same text. */
export function NodeList({ initial, renderedAt }: { initial: NodesResponse; renderedAt: number }) {
  const [list, setList] = useState(initial);
  const [now, setNow] = useState(renderedAt);
  const [fetchError, setFetchError] = useState<string | undefined>();

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch('/api/nodes', { cache: 'no-store' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = (await res.json()) as NodesResponse;
        if (stopped) return;
        setList(body);
        setFetchError(undefined);
      } catch (e) {
        // Keep the last list on screen: it is still the best knowledge there is, marked as old.
        if (!stopped) setFetchError((e as Error).message);
      }
      if (!stopped) setNow(Date.now());
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const rows = list.nodes.map((n) => nodeRow(n, now));
  return (
    <section aria-label="nodes">
      <p className={list.error ? 'error-text' : 'muted'} data-testid="nodes-headline">
        {nodesHeadline(list)}
      </p>
      {fetchError && (
        <p className="error-text" role="status">
          The web app did not answer ({fetchError}); the list below is from {Math.round((Date.now() - now) / 1000)} s
          ago.
        </p>
      )}
      {rows.length > 0 && (
        <div className="nodes-table-wrap">
          <table className="nodes-table">
            <thead>
              <tr>
                <th>node</th>
                <th>health</th>
                <th>kernel</th>
                <th>machine</th>
                <th>capabilities</th>
                <th>load</th>
                <th>last answer</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name} data-testid={`node-${r.name}`} data-health={r.health}>
                  <td className="mono">{r.name}</td>
                  <td className={`node-health ${r.health}`}>{r.healthText}</td>
                  <td className="mono">{r.kernel}</td>
                  <td>{r.machine}</td>
                  <td>
                    <span className="kinds">
                      {r.attach.map((k) => (
                        <span key={k} className="kind">
                          {k}
                        </span>
                      ))}
                    </span>
                    {r.extras.length > 0 && <span className="muted small"> {r.extras.join(' · ')}</span>}
                  </td>
                  <td>{r.load}</td>
                  <td className="muted">{r.lastUp}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.configured && <NodeRunPanel nodes={list.nodes} />}
    </section>
  );
}
