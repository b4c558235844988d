import type { FieldInfo, ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { Inbox, type Delivery } from '../src/state/inbox';
import { cellText, type RowBatch } from '../src/state/rowBatch';

/**
 * The inbox as the tests drive it: frames in (a message goes as its JSON text, as the agent sends
 * it; text, bytes and anything else as they are, for the inbox to read or refuse), deliveries out.
 */
export type TestFrame = ServerMessage | string | Uint8Array | ArrayBuffer | object;

/** What the inbox delivers for these frames, in order (one take, as the socket worker would). */
export function inboxItems(frames: TestFrame[], maxPendingRows?: number): Delivery[] {
  const inbox = new Inbox(maxPendingRows);
  for (const f of frames)
    inbox.frame(
      typeof f === 'string' || f instanceof Uint8Array || f instanceof ArrayBuffer || !('type' in f)
        ? f
        : JSON.stringify(f),
    );
  return inbox.take()?.output.items ?? [];
}

export const rowBatches = (items: Delivery[]): RowBatch[] => items.flatMap((d) => (d.kind === 'rows' ? [d.batch] : []));
export const problemTexts = (items: Delivery[]): string[] =>
  items.flatMap((d) => (d.kind === 'problem' ? [d.text] : []));

/** Each delivery in a few words: a batch by its row count and drops, a message by its type, a problem by its text. */
export const deliverySummary = (items: Delivery[]): string[] =>
  items.map((d) =>
    d.kind === 'rows'
      ? `rows ${d.batch.count} dropped ${d.batch.dropped}`
      : d.kind === 'message'
        ? d.message.type
        : d.text,
  );

/** A batch as a table of the cell texts the Events table shows. */
export function cellTable(b: RowBatch): string[][] {
  return Array.from({ length: b.count }, (_, r) => b.columns.map((_, c) => cellText(b, r, c)));
}

/** The row batches the inbox makes of these frames (as the socket worker would hand them to the page). */
export function batchesOf(frames: TestFrame[], maxPendingRows?: number): RowBatch[] {
  const items = inboxItems(frames, maxPendingRows);
  const problems = items.filter((d) => d.kind === 'problem');
  if (problems.length) throw new Error(`the inbox refused frames: ${JSON.stringify(problems)}`);
  return rowBatches(items);
}

/** The schema frame of run `r`'s `events` ring buffer for `struct event` with these fields. */
export const schemaFrame = (
  fields: FieldInfo[],
  more: Partial<ServerMessageOf<'schema'>> = {},
): ServerMessageOf<'schema'> => ({
  type: 'schema',
  seq: 0,
  runId: 'r',
  source: 'events',
  recordType: 'struct event',
  fields,
  ...more,
});
