'use client';

import { memo, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { Streams } from '../../state/streams';
import { FilterIndex, parseFilter } from '../../state/eventFilter';
import { cellByName, type RowsView } from '../../state/rowRing';
import { cellText, sameColumns, type RowBatch } from '../../state/rowBatch';
import { formatCount, formatTimestamp } from '../../state/format';
import { TailList } from './TailList';
import { COUNTER_INTERVAL_MS } from '../../hooks/useStreamVersion';

const ROW = 22;

/**
 * Decoded ring/perf buffer records as a virtualized table: only the visible rows exist in the DOM,
 * and the store keeps the newest N per source, so 100k records/s cost the same to draw as 10.
 * Rows arrive already formatted (the socket worker does it); drawing one is slicing its cells.
 */
export function EventsPane({ streams, version, running }: { streams: Streams; version: number; running: boolean }) {
  const sources = [...streams.sources.values()];
  const [picked, setPicked] = useState<string | null>(null);
  const src = sources.find((s) => s.name === picked) ?? sources[0] ?? null;
  const [filter, setFilter] = useState('');
  const [paused, setPaused] = useState<{ view: RowsView; received: number } | null>(null);
  const [following, setFollowing] = useState(true);

  const columnKey = src
    ? (src.columns.length ? src.columns : (src.schema?.fields.map((f) => f.name) ?? [])).join('\u0000')
    : '';
  // One array per distinct set of columns, so rows drawn with it can skip re-rendering.
  const columns = useMemo(() => (columnKey === '' ? [] : columnKey.split('\u0000')), [columnKey]);
  const parsed = useMemo(() => parseFilter(filter, columns), [filter, columns]);
  const view: RowsView | null = paused?.view ?? src?.rows ?? null;

  // Matches are found incrementally: each render looks at the rows that arrived since the last.
  const index = useRef<FilterIndex | null>(null);
  if (!parsed || !view) index.current = null;
  else if (
    !index.current ||
    index.current.view !== view ||
    index.current.filter.column !== parsed.column ||
    index.current.filter.needle !== parsed.needle
  )
    index.current = new FilterIndex(parsed, view);
  const matches = index.current;
  matches?.update();
  const count = matches ? matches.length : (view?.length ?? 0);
  const positionOf = (i: number) => (matches ? matches.at(i) : i);

  // The counts are read when the throttled counter draws, not at each frame (see EventCounts).
  const readCounts = useRef<() => Counts | null>(() => null);
  readCounts.current = () =>
    src && {
      shown: matches || paused ? count : null,
      received: src.received,
      kept: src.rows.evicted > 0 ? src.rows.length : null,
      dropped: src.dropped,
    };

  // Ring buffer records carry no CPU (perf buffer records do): drop the column rather than show blanks.
  const showCpu = src?.hasCpu ?? false;
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
          onClick={() => setPaused(paused ? null : src ? { view: src.rows.snapshot(), received: src.received } : null)}
          disabled={!src}
          data-testid="events-pause"
          title="Freeze the table; records keep arriving in the background"
        >
          {paused ? `resume (+${formatCount((src?.received ?? 0) - paused.received)})` : 'pause'}
        </button>
        <span className="spacer" />
        {src && <EventCounts read={readCounts} stamp={`${version}:${src.name}:${filter}:${paused ? 'p' : ''}`} />}
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
        empty={
          !src && (
            <p className="empty">
              {running
                ? 'Waiting for records from a ring buffer or perf buffer…'
                : 'Records a program submits to a ring buffer or perf buffer appear here, one column per field of its struct.'}
            </p>
          )
        }
        renderRow={(i, style, slot) => {
          const pos = positionOf(i);
          const at = view?.locate(pos);
          if (!view || !at) return null;
          const n = view.firstN + pos;
          return (
            <EventRowView
              key={slot ?? n}
              batch={at.batch}
              row={at.row}
              n={n}
              columns={columns}
              showCpu={showCpu}
              grid={grid}
              style={style}
            />
          );
        }}
      />
    </div>
  );
}

interface Counts {
  shown: number | null;
  received: number;
  kept: number | null;
  dropped: number;
}

/**
 * "N received · last M kept · dropped D", redrawn a few times a second rather than every frame:
 * the text sits outside the list, and changing it each frame made the page lay out and repaint
 * everything (useThrottledStreamVersion).
 */
function EventCounts({ read, stamp }: { read: { current: () => Counts | null }; stamp: string }) {
  const shown = useRef<{ counts: Counts | null; at: number; stamp: string } | null>(null);
  const [, redraw] = useState(0);
  const now = performance.now();
  if (shown.current === null || now - shown.current.at >= COUNTER_INTERVAL_MS)
    shown.current = { counts: read.current(), at: now, stamp };
  // Skipped the latest change (new records, a filter typed): draw it a little later, so the last numbers always show.
  const behind = shown.current.stamp !== stamp;
  useEffect(() => {
    if (!behind) return;
    const t = setTimeout(() => redraw((n) => n + 1), COUNTER_INTERVAL_MS);
    return () => clearTimeout(t);
  }, [behind, stamp]);
  const c = shown.current.counts;
  if (!c) return null;
  return (
    <span className="counts" data-testid="events-counts">
      {c.shown !== null ? `${formatCount(c.shown)} shown · ` : ''}
      {formatCount(c.received)} received
      {c.kept !== null && ` · last ${formatCount(c.kept)} kept`}
      <span className={c.dropped ? 'warn' : 'muted'}> · dropped {formatCount(c.dropped)}</span>
    </span>
  );
}

interface RowProps {
  batch: RowBatch;
  row: number;
  /** The row's number in its source (alternating shade). */
  n: number;
  columns: string[];
  showCpu: boolean;
  grid: string;
  style: CSSProperties;
}

/** One row; re-rendered only when the slot shows another row (rows never change once received). */
const EventRowView = memo(
  function EventRowView({ batch, row, n, columns, showCpu, grid, style }: RowProps) {
    const direct = sameColumns(batch.columns, columns);
    const cpu = batch.cpu?.[row] ?? -1;
    return (
      <div
        className={`table-row ${n % 2 ? 'row-alt' : ''}`}
        style={{ ...style, gridTemplateColumns: grid }}
        data-testid="event-row"
      >
        <span className="ts">{formatTimestamp(batch.t[row]!)}</span>
        {showCpu && <span className="cpu">{cpu >= 0 ? cpu : ''}</span>}
        {columns.map((c, j) => {
          const text = direct ? cellText(batch, row, j) : cellByName(batch, row, c);
          return (
            <span key={c} title={text.length > 24 ? text : undefined}>
              {text}
            </span>
          );
        })}
      </div>
    );
  },
  (a, b) =>
    a.batch === b.batch &&
    a.row === b.row &&
    a.n === b.n &&
    a.columns === b.columns &&
    a.showCpu === b.showCpu &&
    a.grid === b.grid &&
    a.style === b.style,
);
