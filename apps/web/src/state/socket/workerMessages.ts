import type { InboxOutput } from '../inbox';

/**
 * Messages between the page and the socket worker (socket.worker.ts). `id` names one socket: after
 * a reconnect, late messages about the previous one are ignored on both sides.
 */
export type ToWorker =
  | { op: 'open'; id: number; url: string }
  | { op: 'send'; id: number; data: string }
  | { op: 'close'; id: number; code: number; reason: string }
  /** The page has applied the last delivery: the worker may send the next (one in flight at a time). */
  | { op: 'ack'; id: number };

export type FromWorker =
  | { op: 'open'; id: number }
  | { op: 'close'; id: number; code: number; reason: string }
  | { op: 'deliver'; id: number; output: InboxOutput };
