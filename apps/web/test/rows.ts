import type { ServerMessage } from '@bpfplay/protocol';
import { Inbox } from '../src/state/inbox';
import type { RowBatch } from '../src/state/rowBatch';

/** The row batches the inbox makes of these frames (as the socket worker would hand them to the page). */
export function batchesOf(frames: ServerMessage[], maxPendingRows?: number): RowBatch[] {
  const inbox = new Inbox(maxPendingRows);
  for (const f of frames) inbox.frame(JSON.stringify(f));
  const items = inbox.take()?.output.items ?? [];
  const problems = items.filter((d) => d.kind === 'problem');
  if (problems.length) throw new Error(`the inbox refused frames: ${JSON.stringify(problems)}`);
  return items.flatMap((d) => (d.kind === 'rows' ? [d.batch] : []));
}
