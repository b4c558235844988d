import { z } from 'zod';
import { describeIssues } from './issues';

/**
 * Binary events frame: ring buffer records as their raw bytes, for a client that asked with
 * `RunOptions.eventFormat: 'binary'`. It is the only binary WebSocket message the agent sends
 * (everything else, and everything a client sends, stays JSON text). Layout, little-endian:
 *
 *   u32 header length H · H bytes of header JSON (UTF-8, BinaryEventsHeader) ·
 *   `count` records, each u32 length L · L bytes (the record exactly as the program wrote it)
 *
 * The header's `seq` is on the connection's one sequence with the JSON frames (the agent writes it
 * padded with spaces before the digits, so it can stamp it without rebuilding the frame). Decode the records
 * with the `layout` of the source's `schema` frame (decode/read.ts `decodeRecord`); `t` (ms
 * since attach) is when the agent read them, as the JSON form gives every record; perf buffer
 * records also carry the CPU each came from (`cpus`, one per record).
 */
export const BinaryEventsHeader = z.object({
  type: z.literal('events'),
  seq: z.number().int().nonnegative(),
  runId: z.string(),
  /** The run's target (RunOptions.targets), as on JSON frames. */
  target: z.string().optional(),
  source: z.string(),
  count: z.number().int().nonnegative(),
  /** Records lost since the last frame of this source (ring full, over the rate limit, client behind). */
  dropped: z.number().int().nonnegative(),
  t: z.number(),
  /** Perf buffer sources: the CPU of each record, in order (ring buffers have none). */
  cpus: z.array(z.number().int().nonnegative()).optional(),
});
export type BinaryEventsHeader = z.infer<typeof BinaryEventsHeader>;

export interface BinaryEventsFrame {
  header: BinaryEventsHeader;
  /** Each record's bytes: views into the received message, valid while it is. */
  records: Uint8Array[];
}

export type BinaryParseResult = { ok: true; frame: BinaryEventsFrame } | { ok: false; message: string };

/** Longest header accepted: a header is ~120 bytes; anything near this is not a header. */
const MAX_HEADER = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Check and split a binary events frame. Never throws: a frame that is cut short, has a header
 * that is not the protocol's, or records that do not add up to `count` gives `ok: false` and what
 * is wrong, at which byte.
 */
export function parseBinaryEvents(data: Uint8Array): BinaryParseResult {
  const fail = (message: string): BinaryParseResult => ({
    ok: false,
    message: `binary events frame (${data.length} bytes): ${message}`,
  });
  if (data.length < 4) return fail('shorter than its 4-byte header length');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const h = view.getUint32(0, true);
  if (h > MAX_HEADER || 4 + h > data.length) return fail(`header length ${h} does not fit the frame`);
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(data.subarray(4, 4 + h)));
  } catch (e) {
    return fail(`header is not JSON: ${(e as Error).message}`);
  }
  const header = BinaryEventsHeader.safeParse(raw);
  if (!header.success) return fail(`bad header: ${describeIssues(header.error)}`);
  const count = header.data.count;
  // Each record takes at least its 4-byte length: a count beyond that cannot be right (and must not size an array).
  if (count > (data.length - 4 - h) / 4)
    return fail(`header says ${count} records, more than the ${data.length - 4 - h} bytes after it can hold`);
  const records: Uint8Array[] = new Array(count);
  let p = 4 + h;
  for (let i = 0; i < count; i++) {
    if (p + 4 > data.length) return fail(`record ${i} of ${count}: length cut off at byte ${p}`);
    const len = view.getUint32(p, true);
    p += 4;
    if (len > data.length - p) return fail(`record ${i} of ${count}: ${len} bytes at byte ${p}, past the end`);
    records[i] = data.subarray(p, p + len);
    p += len;
  }
  if (p !== data.length) return fail(`${data.length - p} bytes after the last of ${count} records`);
  const cpus = header.data.cpus;
  if (cpus && cpus.length !== count) return fail(`header has ${cpus.length} cpus for ${count} records`);
  return { ok: true, frame: { header: header.data, records } };
}

/** Build a binary events frame (what the agent sends; for tests and other producers). `count` is set from `records`. */
export function encodeBinaryEvents(header: Omit<BinaryEventsHeader, 'count'>, records: Uint8Array[]): Uint8Array {
  const head = encoder.encode(JSON.stringify({ ...header, count: records.length }));
  let size = 4 + head.length;
  for (const r of records) size += 4 + r.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true);
  out.set(head, 4);
  let p = 4 + head.length;
  for (const r of records) {
    view.setUint32(p, r.length, true);
    out.set(r, p + 4);
    p += 4 + r.length;
  }
  return out;
}
