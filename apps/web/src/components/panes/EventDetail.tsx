'use client';

import { cellByName, rawByName } from '../../state/rowRing';
import type { RowBatch } from '../../state/rowBatch';
import { FRAME_SEPARATOR, formatTimestamp } from '../../state/format';

/** A row the user clicked: the batch it is in (batches never change once received) and its index. */
export interface PickedRow {
  batch: RowBatch;
  row: number;
  /** The row's number in its source. */
  n: number;
  /** ms since attach, as the time column showed it. */
  timeMs: number;
}

/** A field's value; a readable form (`-ENOENT`) with the raw number beside it and on hover. */
function EventValue({ text, raw, column }: { text: string; raw: string | undefined; column: string }) {
  return (
    <td
      className="event-value"
      data-testid={`event-field-${column}`}
      data-raw={raw}
      title={raw !== undefined ? `${column} = ${raw}` : undefined}
    >
      {text}
      {raw !== undefined && <span className="muted event-raw"> ({raw})</span>}
    </td>
  );
}

/** Every field of one record, whole (the table cuts long ones), with its C type, to read and copy. */
export function EventDetail(p: {
  row: PickedRow;
  columns: readonly string[];
  types: ReadonlyMap<string, string>;
  tsColumn: string | null;
  /** Fields holding bpf_get_stack() frames: listed one frame a line, innermost first. */
  stackColumns?: ReadonlySet<string>;
  onClose(): void;
}) {
  const { batch, row } = p.row;
  const cpu = batch.cpu?.[row] ?? -1;
  return (
    <div className="event-detail" data-testid="event-detail" role="region" aria-label="Record detail">
      <div className="event-detail-bar">
        <span>
          record #{p.row.n + 1} · {formatTimestamp(p.row.timeMs)} s
          {p.tsColumn ? ` (from ${p.tsColumn})` : ' (when read)'}
          {cpu >= 0 ? ` · cpu ${cpu}` : ''}
        </span>
        <span className="spacer" />
        <button className="btn-small" onClick={p.onClose} data-testid="event-detail-close">
          close
        </button>
      </div>
      <table className="grid mono">
        <tbody>
          {p.columns.map((c) => (
            <tr key={c} data-testid="event-field">
              <th scope="row">{c}</th>
              <td className="muted">{p.types.get(c) ?? ''}</td>
              {p.stackColumns?.has(c) ? (
                <td className="event-value" data-testid={`event-field-${c}`}>
                  <ol className="stack-frames" data-testid={`event-stack-${c}`}>
                    {cellByName(batch, row, c)
                      .split(FRAME_SEPARATOR)
                      .filter((f) => f !== '')
                      .map((f, i) => (
                        <li key={i}>{f}</li>
                      ))}
                  </ol>
                </td>
              ) : (
                <EventValue text={cellByName(batch, row, c)} raw={rawByName(batch, row, c)} column={c} />
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
