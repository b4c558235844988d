'use client';

import type { MapSnapshot } from '@bpfplay/protocol';
import type { Streams } from '../../state/streams';
import type { RunView } from '../../state/run';
import { formatValue } from '../../state/format';
import { log2Histograms, numberOf } from '../../state/maps';
import { Log2HistChart } from '../charts/Log2HistChart';
import { CounterChart } from '../charts/CounterChart';
import { FlameGraph } from '../charts/FlameGraph';

/** Rows of a table snapshot drawn at once; the agent already caps a snapshot (`more` counts the rest). */
const MAX_TABLE_ROWS = 500;

export function MapsPane({
  streams,
  run,
  version,
  theme,
}: {
  streams: Streams;
  run: RunView | null;
  version: number;
  theme: string;
}) {
  const snap = streams.maps;
  const declared = run?.loaded?.maps ?? [];
  return (
    <div className="pane pane-maps scroll-y" data-testid="pane-maps">
      {!snap && declared.length === 0 && (
        <p className="empty">
          {run
            ? 'No map snapshot yet.'
            : 'Maps of a running program appear here: tables, log2 histograms as bar charts, counters as time series.'}
        </p>
      )}
      {!snap && declared.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>map</th>
              <th>type</th>
              <th>key → value</th>
              <th>max entries</th>
            </tr>
          </thead>
          <tbody>
            {declared.map((m) => (
              <tr key={m.name}>
                <td>{m.name}</td>
                <td>{m.type}</td>
                <td>
                  {m.keyType ?? `${m.keySize} B`} → {m.valueType ?? `${m.valueSize} B`}
                </td>
                <td>{m.maxEntries}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {snap && <p className="muted small">snapshot at {(snap.t / 1000).toFixed(1)} s</p>}
      {snap?.stacks?.map((p) => (
        <section key={`stacks-${p.name}`} className="map-card" data-testid={`stacks-${p.name}`}>
          <h4>
            {p.records ? (
              <>
                stacks in {p.records.source} records{' '}
                <span className="muted">({p.records.field}, bpf_get_stack) · flame graph (click a frame to zoom)</span>
              </>
            ) : (
              <>
                stacks of {p.name} <span className="muted">× {p.stackMap} · flame graph (click a frame to zoom)</span>
              </>
            )}
          </h4>
          <FlameGraph profile={p} />
        </section>
      ))}
      {snap?.maps.map((m) => (
        <section key={m.name} className="map-card" data-testid={`map-${m.name}`}>
          <h4>
            {m.name}{' '}
            <span className="muted">
              {m.type}
              {m.keyType || m.valueType ? ` · ${m.keyType ?? '?'} → ${m.valueType ?? '?'}` : ''} ·{' '}
              {m.entries.length + m.more} entries
            </span>
          </h4>
          {m.error && <p className="error-text">{m.error}</p>}
          <MapBody snap={m} streams={streams} version={version} theme={theme} />
          {m.more > 0 && <p className="muted small">{m.more} more entries not sent by the agent</p>}
        </section>
      ))}
    </div>
  );
}

function MapBody({
  snap,
  streams,
  version,
  theme,
}: {
  snap: MapSnapshot;
  streams: Streams;
  version: number;
  theme: string;
}) {
  if (snap.render === 'log2-hist') {
    const hists = log2Histograms(snap);
    if (hists.length === 0) return <KeyValueTable snap={snap} />;
    return (
      <>
        {hists.slice(0, 8).map((h, i) => (
          <div key={h.label ?? i}>
            {h.label && <p className="small">{h.label}</p>}
            <Log2HistChart
              name={h.label ? `${snap.name}[${h.label}]` : snap.name}
              counts={h.counts}
              unit={snap.unit}
              theme={theme}
            />
          </div>
        ))}
      </>
    );
  }
  if (snap.render === 'counters') {
    const series = streams.series.get(snap.name);
    return (
      <>
        {series && series.size > 0 && <CounterChart series={series} theme={theme} version={version} />}
        <KeyValueTable snap={snap} />
      </>
    );
  }
  return <KeyValueTable snap={snap} />;
}

function KeyValueTable({ snap }: { snap: MapSnapshot }) {
  if (snap.entries.length === 0) return <p className="muted small">empty</p>;
  const globals = snap.render === 'globals';
  // Counters read best largest first; other maps keep the agent's order.
  const entries =
    snap.render === 'counters'
      ? [...snap.entries].sort((a, b) => (numberOf(b.value) ?? 0) - (numberOf(a.value) ?? 0))
      : snap.entries;
  return (
    <table className="grid mono">
      <thead>
        <tr>
          <th>{globals ? 'variable' : 'key'}</th>
          <th>value</th>
        </tr>
      </thead>
      <tbody>
        {entries.slice(0, MAX_TABLE_ROWS).map((e, i) => (
          <tr key={i}>
            <td>{formatValue(e.key)}</td>
            <td title={e.cpus ? `per CPU: ${e.cpus.map(formatValue).join(', ')}` : undefined}>
              {formatValue(e.value)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
