'use client';

import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { Streams } from '../../state/streams';
import { FilterIndex, parseFilter } from '../../state/eventFilter';
import { cellByName, rawByName, type RowsView } from '../../state/rowRing';
import { cellRaw, cellText, sameColumns, type RowBatch } from '../../state/rowBatch';
import { formatCount, formatTimestamp } from '../../state/format';
import { TailList } from './TailList';
import { ColumnWidths, RecordClock, timestampColumn } from '../../state/eventColumns';
import { EventDetail, type PickedRow } from './EventDetail';
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
  const types = useMemo(() => new Map(src?.schema?.fields.map((f) => [f.name, f.type]) ?? []), [src?.schema]);
  const stackColumns = useMemo(() => new Set(src?.schema?.stacks?.map((s) => s.field) ?? []), [src?.schema]);
  // Each column as wide as its widest text seen (or as the user dragged it); the table scrolls sideways.
  const widths = useMemo(() => new ColumnWidths(columns), [columns]);
  const [userPx, setUserPx] = useState<Record<string, number>>({});
  const tsColumn = useMemo(() => timestampColumn(columns, types), [columns, types]);
  const clock = useMemo(() => (tsColumn ? new RecordClock() : null), [tsColumn, src?.name]); // eslint-disable-line react-hooks/exhaustive-deps -- a new source's timestamps start a new clock
  if (view) sampleWidths(view, columns, widths, count, positionOf);
  const timeLabel = tsColumn ? `time s (${tsColumn})` : 'time s';
  const grid = `${Math.max(12, timeLabel.length + 1)}ch ${showCpu ? '4ch ' : ''}${widths.template(columns, userPx)}`;
  const [detail, setDetail] = useState<PickedRow | null>(null);
  const pick = useCallback((p: PickedRow) => setDetail(p), []);

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
      <div className="events-x">
        <div className="events-inner">
          <div className="table-head mono" style={{ gridTemplateColumns: grid }} data-testid="events-head">
            <span
              title={
                tsColumn
                  ? `seconds since attach, from each record's own ${tsColumn} (bpf_ktime_get_ns)`
                  : 'seconds since attach, when the record was read (the record has no timestamp field)'
              }
              data-testid="events-time-head"
            >
              {timeLabel}
            </span>
            {showCpu && <span>cpu</span>}
            {columns.map((c) => (
              <span key={c} title={types.get(c) ?? ''} className="col-head" data-testid={`events-col-${c}`}>
                {c}
                <ColumnResizer onResize={(px) => setUserPx((u) => ({ ...u, [c]: px }))} label={c} />
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
                  tsIndex={tsColumn ? columns.indexOf(tsColumn) : -1}
                  clock={clock}
                  onPick={pick}
                />
              );
            }}
          />
        </div>
      </div>
      {detail && (
        <EventDetail
          row={detail}
          columns={columns}
          types={types}
          tsColumn={tsColumn}
          stackColumns={stackColumns}
          onClose={() => setDetail(null)}
        />
      )}
    </div>
  );
}

/** Grow the columns to the text of the newest rows (a few dozen: cheap at any record rate). */
function sampleWidths(
  view: RowsView,
  columns: readonly string[],
  widths: ColumnWidths,
  count: number,
  positionOf: (i: number) => number,
): void {
  for (let i = Math.max(0, count - 40); i < count; i++) {
    const at = view.locate(positionOf(i));
    if (!at) continue;
    const direct = sameColumns(at.batch.columns, columns);
    columns.forEach((c, j) => widths.fit(c, direct ? cellText(at.batch, at.row, j) : cellByName(at.batch, at.row, c)));
  }
}

/** The handle at a column header's right edge: drag to set the column's width. */
function ColumnResizer({ onResize, label }: { onResize(px: number): void; label: string }) {
  return (
    <span
      className="col-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize column ${label}`}
      data-testid={`events-resize-${label}`}
      onPointerDown={(e) => {
        const head = (e.currentTarget.parentElement as HTMLElement).getBoundingClientRect();
        const target = e.currentTarget;
        target.setPointerCapture(e.pointerId);
        const move = (ev: PointerEvent) => onResize(Math.max(32, Math.round(ev.clientX - head.left)));
        const up = () => {
          target.removeEventListener('pointermove', move);
          target.removeEventListener('pointerup', up);
        };
        target.addEventListener('pointermove', move);
        target.addEventListener('pointerup', up);
        e.preventDefault();
      }}
    />
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
  /** The column of the record's own timestamp, or -1. */
  tsIndex: number;
  clock: RecordClock | null;
  onPick(p: PickedRow): void;
}

/** One row; re-rendered only when the slot shows another row (rows never change once received). */
const EventRowView = memo(
  function EventRowView({ batch, row, n, columns, showCpu, grid, style, tsIndex, clock, onPick }: RowProps) {
    const direct = sameColumns(batch.columns, columns);
    const cpu = batch.cpu?.[row] ?? -1;
    const cell = (j: number) => (direct ? cellText(batch, row, j) : cellByName(batch, row, columns[j]!));
    const raw = (j: number) => (direct ? cellRaw(batch, row, j) : rawByName(batch, row, columns[j]!));
    const own = clock && tsIndex >= 0 ? clock.timeMs(cell(tsIndex), batch.t[row]!) : null;
    return (
      <div
        className={`table-row ${n % 2 ? 'row-alt' : ''}`}
        style={{ ...style, gridTemplateColumns: grid }}
        onClick={() => onPick({ batch, row, n, timeMs: own ?? batch.t[row]! })}
        title="Click: every field of this record"
        data-testid="event-row"
      >
        <span className="ts" data-own={own !== null ? 'true' : undefined}>
          {formatTimestamp(own ?? batch.t[row]!)}
        </span>
        {showCpu && <span className="cpu">{cpu >= 0 ? cpu : ''}</span>}
        {columns.map((c, j) => {
          const text = cell(j);
          // A readable form (`-ENOENT`, `openat`) shows the number it stands for on hover.
          const r = raw(j);
          return (
            <span
              key={c}
              title={r !== undefined ? `${c} = ${r}` : text.length > 24 ? text : undefined}
              data-raw={r}
              className={r !== undefined ? 'named' : undefined}
            >
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
    a.style === b.style &&
    a.tsIndex === b.tsIndex &&
    a.clock === b.clock,
);
