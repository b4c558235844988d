import type { RecordLayout, ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { decodeRecord, parseBinaryEvents, ServerMessage as ServerMessageSchema, shownOf } from '@bpfplay/protocol';

/**
 * The CLI's side of binary events (`run --binary`): keeps each source's layout from its `schema`
 * frame and turns every binary frame back into the `events` message the JSON form would have been,
 * records decoded with the protocol's decoder (and their fields' readable forms in `shown`), so the rest of the CLI (and `--json` output) does not
 * know the difference.
 */
export class BinaryEvents {
  private readonly layouts = new Map<string, RecordLayout | undefined>();

  /** Remember the layout of a schema frame; returns the frame as the JSON form sends it (no layout). */
  schema(m: ServerMessageOf<'schema'>): ServerMessageOf<'schema'> {
    this.layouts.set(`${m.runId}\0${m.source}`, m.layout);
    const { layout: _layout, ...rest } = m;
    return rest;
  }

  /** A binary message as an `events` message, or why it is not one. */
  events(data: Uint8Array): { ok: true; message: ServerMessage } | { ok: false; message: string } {
    const r = parseBinaryEvents(data);
    if (!r.ok) return r;
    const { header, records } = r.frame;
    const layout = this.layouts.get(`${header.runId}\0${header.source}`);
    const message = {
      type: 'events',
      seq: header.seq,
      runId: header.runId,
      source: header.source,
      records: records.map((bytes, i) => {
        const shown = shownOf(layout, bytes);
        return {
          t: header.t,
          ...(header.cpus ? { cpu: header.cpus[i]! } : {}),
          value: decodeRecord(layout, bytes),
          ...(shown ? { shown } : {}),
        };
      }),
      dropped: header.dropped,
    };
    // Through the protocol's schema, as every JSON frame is: the same checks and the same key order.
    const parsed = ServerMessageSchema.safeParse(message);
    return parsed.success
      ? { ok: true, message: parsed.data }
      : { ok: false, message: `decoded binary events do not match the protocol: ${parsed.error.message}` };
  }
}
