import { namedFrames, type FieldInfo, type ServerMessageOf, type Value } from '@bpfplay/protocol';

/** Frames of a record's stack printed in its row, innermost first; the rest are counted. */
const ROW_FRAMES = 5;

/**
 * Ring and perf buffer records as a terminal table, the way execsnoop and friends print them: a
 * header of upper-case field names once, then one aligned row per record. Columns start as wide
 * as their C type usually needs (a pid, a 16-byte comm) and widen when a longer value arrives; the
 * last column is never padded, so a long path or argument list just runs on. A field with a readable
 * form (the record's `shown`: `-ENOENT`, `openat`, `10.0.0.1`) prints that instead of its number.
 * `--json` keeps the protocol's frames instead (raw values, readable forms in `shown`).
 */
export class EventTable {
  private readonly tables = new Map<string, Columns>();
  /** Frame names from the run's `symbols` frames (they come before the records holding the frames). */
  private readonly names = new Map<string, string>();

  symbols(m: ServerMessageOf<'symbols'>): undefined {
    for (const [k, v] of Object.entries(m.names)) this.names.set(k, v);
    return undefined;
  }

  /** The header for a source's records, printed when its schema arrives. */
  schema(m: ServerMessageOf<'schema'>): string | undefined {
    const fields = m.undecodedReason || m.fields.length === 0 ? [{ name: 'data', type: 'hex' }] : m.fields;
    const stacks = new Map<string, (record: { [k: string]: Value }) => string>();
    for (const st of m.stacks ?? []) {
      stacks.set(st.field, (r) => {
        const frames = namedFrames(r[st.field]!, st.pid ? r[st.pid] : undefined, this.names);
        const shown = frames.slice(0, ROW_FRAMES).join(' ← ');
        return frames.length > ROW_FRAMES ? `${shown} ← … (${frames.length} frames)` : shown || '[no stack]';
      });
    }
    const cols = new Columns(fields, stacks);
    this.tables.set(m.source, cols);
    const lines = m.undecodedReason ? [`events from ${m.source} shown as hex: ${m.undecodedReason}`] : [];
    lines.push(this.prefix('SOURCE') + cols.header());
    return lines.join('\n');
  }

  events(m: ServerMessageOf<'events'>): string | undefined {
    let cols = this.tables.get(m.source);
    const records = m.records;
    const lines: string[] = [];
    if (!cols) {
      // A record with no schema before it (an older agent): columns from the first record.
      const first = records[0]?.value;
      const names = first && typeof first === 'object' && !Array.isArray(first) ? Object.keys(first) : ['data'];
      cols = new Columns(names.map((name) => ({ name, type: '' })));
      this.tables.set(m.source, cols);
      lines.push(this.prefix('SOURCE') + cols.header());
    }
    for (const r of records) lines.push(this.prefix(m.source) + cols.row(r.t, r.value, r.shown));
    if (m.dropped) lines.push(`(${m.dropped} ${m.source} records dropped)`);
    return lines.length ? lines.join('\n') : undefined;
  }

  /** With records from more than one buffer, each line says which. */
  private prefix(text: string): string {
    if (this.tables.size < 2) return '';
    const width = Math.max(6, ...[...this.tables.keys()].map((s) => s.length));
    return `${text.padEnd(width)} `;
  }
}

const TIME_HEADER = 'TIME(s)';

class Columns {
  private readonly widths: number[];
  /** Numbers line up on the right, headers with them. */
  private readonly numeric: boolean[];

  constructor(
    private readonly fields: readonly FieldInfo[],
    /** Stack fields (schema `stacks`): their cell is the frames by name. */
    private readonly stacks: ReadonlyMap<string, (record: { [k: string]: Value }) => string> = new Map(),
  ) {
    this.widths = fields.map((f) => Math.max(f.name.length, typeWidth(f.type)));
    this.numeric = fields.map((f) => isIntegerType(f.type));
  }

  header(): string {
    return this.line(
      TIME_HEADER,
      this.fields.map((f) => f.name.toUpperCase()),
    );
  }

  row(t: number, value: Value, shown?: { [field: string]: Value }): string {
    const cells =
      value !== null && typeof value === 'object' && !Array.isArray(value) && this.fields.every((f) => f.name in value)
        ? this.fields.map((f) => this.stacks.get(f.name)?.(value) ?? cell(shown?.[f.name] ?? value[f.name]!))
        : [cell(value), ...this.fields.slice(1).map(() => '')];
    return this.line((t / 1000).toFixed(3), cells);
  }

  private line(time: string, cells: string[]): string {
    const parts = [time.padStart(TIME_HEADER.length + 1)];
    cells.forEach((c, i) => {
      const last = i === cells.length - 1;
      if (!last && c.length > this.widths[i]!) this.widths[i] = c.length;
      const right = this.numeric[i] || isNumeric(c);
      parts.push(last ? c : right ? c.padStart(this.widths[i]!) : c.padEnd(this.widths[i]!));
    });
    return parts.join(' ').trimEnd();
  }
}

function cell(v: Value): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v.replace(/[\r\n\t]/g, ' ');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function isNumeric(s: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(s);
}

export function isIntegerType(type: string): boolean {
  return (
    !/[*[]/.test(type) &&
    /\b(int|long|short|[su](8|16|32|64)|__[su](8|16|32|64)|u?int\d+_t|pid_t|uid_t|gid_t|size_t)\b/.test(type)
  );
}

/** How wide a value of this C type usually prints: a pid in 7, a comm in 16, a u64 counter in 12. */
export function typeWidth(type: string): number {
  const chars = /\bchar\s*\[(\d+)\]/.exec(type);
  if (chars) return Math.min(Number(chars[1]) - 1, 16);
  if (/\*/.test(type)) return 18;
  if (/bool/.test(type)) return 5;
  if (/64|long/.test(type)) return 12;
  if (/(8|16)\b|char|short/.test(type)) return 5;
  if (/int|32|pid_t|uid_t|gid_t/.test(type)) return 7;
  return 8;
}
