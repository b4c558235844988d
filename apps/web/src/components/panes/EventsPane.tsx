'use client';

import { useMemo, useState } from 'react';
import { cellOf, columnsOf, matchingRows, parseFilter, type EventRow, type Streams } from '../../state/streams';
import { formatCount, formatTimestamp, formatValue } from '../../state/format';
import { TailList } from './TailList';

const ROW = 22;

/**
 * Decoded ring/perf buffer records as a virtualized table: only the visible rows exist in the DOM,
 * and the store keeps the newest N per source, so 100k records/s cost the same to draw as 10.
 */
export function EventsPane({ streams, version, running }: { streams: Streams; version: number; running: boolean }) {
  const sources = [...streams.sources.values()];
  const [picked, setPicked] = useState<string | null>(null);
  const src = sources.find((s) => s.name === picked) ?? sources[0] ?? null;
  const [filter, setFilter] = useState('');
  const [paused, setPaused] = useState<{ rows: EventRow[]; total: number } | null>(null);
  const [following, setFollowing] = useState(true);

  const columns = useMemo(() => (src ? columnsOf(src) : []), [src, src?.schema, src?.rows.length === 0]);
  const parsed = useMemo(() => parseFilter(filter, columns), [filter, columns]);
  // Refiltering 50k rows every frame would eat the frame budget at full rate: refresh ~4 times a second.
  const tick = parsed ? Math.floor(version / 15) : version;
  const rows: EventRow[] = useMemo(() => {
    if (!src) return [];
    if (paused) return parsed ? paused.rows.filter((_, i) => matchesOne(paused.rows[i]!, columns, parsed)) : paused.rows;
    if (!parsed) return [];
    return matchingRows(src.rows, columns, parsed).map((i) => src.rows.at(i)!);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [src, paused, parsed, columns, tick]);
  const direct = !paused && !parsed && src !== null;
  const count = direct ? src!.rows.length : rows.length;
  const rowAt = (i: number) => (direct ? src!.rows.at(i) : rows[i]);

  // Ring buffer records carry no CPU (perf buffer records do): drop the column rather than show blanks.
  const showCpu = src !== null && src.rows.length > 0 && src.rows.at(src.rows.length - 1)!.cpu !== undefined;
  const grid = `96px ${showCpu ? '40px ' : ''}${columns.map(() => 'minmax(70px, 1fr)').join(' ')}`;
  const types = new Map(src?.schema?.fields.map((f) => [f.name, f.type]) ?? []);

  return (
    <div className="pane pane-events" data-testid="pane-events">
      <div className="pane-bar">
        {sources.length > 1 && (
          <select value={src?.name ?? ''} onChange={(e) => setPicked(e.target.value)} aria-label="Event source">
            {sources.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        )}
        <input
          type="search"
          className="filter"
          placeholder="filter: text or field=value"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter events"
          data-testid="events-filter"
        />
        <button
          className={`btn-small ${paused ? 'btn-attn' : ''}`}
          onClick={() => setPaused(paused ? null : src ? { rows: src.rows.toArray(), total: src.received } : null)}
          disabled={!src}
          data-testid="events-pause"
          title="Freeze the table; records keep arriving in the background"
        >
          {paused ? `resume (+${formatCount((src?.received ?? 0) - paused.total)})` : 'pause'}
        </button>
        <span className="spacer" />
        {src && (
          <span className="counts" data-testid="events-counts">
            {parsed || paused ? `${formatCount(count)} shown · ` : ''}
            {formatCount(src.received)} received
            {src.rows.evicted > 0 && ` · last ${formatCount(src.rows.length)} kept`}
            <span className={src.dropped ? 'warn' : 'muted'}> · dropped {formatCount(src.dropped)}</span>
          </span>
        )}
        {!following && !paused && (
          <button className="btn-small btn-attn" onClick={() => setFollowing(true)} title="Follow new records (End)">
            follow
          </button>
        )}
      </div>
      {src?.schema?.undecodedReason && <p className="notice">Shown as hex: {src.schema.undecodedReason}</p>}
      {src?.schema?.recordType && (
        <p className="schema-line muted">
          {src.name}: {src.schema.recordType}
        </p>
      )}
      <div className="table-head mono" style={{ gridTemplateColumns: grid }}>
        <span>time s</span>
        {showCpu && <span>cpu</span>}
        {columns.map((c) => (
          <span key={c} title={types.get(c) ?? ''}>
            {c}
          </span>
        ))}
      </div>
      <TailList
        count={count}
        rowHeight={ROW}
        version={version}
        following={following}
        onFollowingChange={setFollowing}
        label="Events"
        testId="events-table"
        empty={!src && <p className="empty">{running ? 'Waiting for records from a ring buffer or perf buffer…' : 'Records a program submits to a ring buffer or perf buffer appear here, one column per field of its struct.'}</p>}
        renderRow={(i, style) => {
          const r = rowAt(i);
          if (!r) return null;
          return (
            <div key={r.n} className={`table-row ${r.n % 2 ? 'row-alt' : ''}`} style={{ ...style, gridTemplateColumns: grid }} data-testid="event-row">
              <span className="ts">{formatTimestamp(r.t)}</span>
              {showCpu && <span className="cpu">{r.cpu ?? ''}</span>}
              {columns.map((c) => {
                const text = formatValue(cellOf(r, c));
                return (
                  <span key={c} title={text.length > 24 ? text : undefined}>
                    {text}
                  </span>
                );
              })}
            </div>
          );
        }}
      />
    </div>
  );
}

function matchesOne(row: EventRow, columns: string[], f: NonNullable<ReturnType<typeof parseFilter>>): boolean {
  if (f.column !== null) return formatValue(cellOf(row, f.column)).toLowerCase().includes(f.needle);
  return columns.some((c) => formatValue(cellOf(row, c)).toLowerCase().includes(f.needle));
}
