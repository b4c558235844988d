import type { z } from 'zod';
import {
  CLOSE_CODES,
  describeIssues,
  type LessonSummary,
  type RoomInfo,
  type RoomServerMessage,
  type RosterEntry,
} from '@bpfplay/protocol';
import type { StoredLearner, StoredRoom } from '@bpfplay/share/server';

/*
 * The live side of a room as RoomHub keeps it (who is connected, through what), and the messages
 * made from it. The hub decides; this module only describes.
 */

/** A room channel (a WebSocket, or a fake in tests): JSON text both ways. */
export interface RoomSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onMessage(fn: (text: string) => void): void;
  onClose(fn: () => void): void;
}

/** What a learner's relayed agent session gives the hub (relay.ts), so the instructor can stop it. */
export interface RelayHandle {
  stopRuns(): void;
  /** Let the learner go (the room ended, or moved to other nodes): their runs end with the session. */
  close(code: number, reason: string): void;
}

/** How the room tells a learner it is over (the page shows the reason and stops reconnecting on 4404/4410). */
export const ROOM_CLOSE = Object.freeze({
  ended: CLOSE_CODES.roomEnded,
  deleted: CLOSE_CODES.notFound,
  /** A learner on a node the room no longer uses: the page reconnects and is placed again. */
  moved: 1012,
});

export interface LiveLearner {
  stored: StoredLearner;
  /** The files of the learner's last run or check, as JSON: sending the same code again is not "editing". */
  ranFiles?: string;
  channels: Set<RoomSocket>;
  relays: Set<RelayHandle>;
  node?: string;
}

export interface LiveRoom {
  room: StoredRoom;
  learners: Map<string, LiveLearner>;
  instructors: Set<RoomSocket>;
  rosterDue: NodeJS.Timeout | null;
  /** Ends the room at its expiry while it is live. */
  expiry: NodeJS.Timeout | null;
}

export function roomInfo(r: StoredRoom, now: Date): RoomInfo {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.createdAt,
    ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
    expired: r.expiresAt !== undefined && Date.parse(r.expiresAt) <= now.getTime(),
  };
}

/** The instructor's roster: every learner's state, the counts at the top, the track and the nodes to choose from. */
export function rosterMessage(
  r: LiveRoom,
  now: Date,
  track: LessonSummary[],
  knownNodes: readonly string[] | undefined,
): RoomServerMessage {
  const current = r.room.settings.lesson;
  const learners: RosterEntry[] = [...r.learners.values()].map((l) => ({
    id: l.stored.id,
    name: l.stored.name,
    online: l.channels.size > 0 || l.relays.size > 0,
    activity: l.stored.activity,
    passed: l.stored.passed,
    hasCode: l.stored.code !== null,
    ...(l.node !== undefined ? { node: l.node } : {}),
  }));
  const state = (e: RosterEntry) => e.activity.state;
  return {
    type: 'roster',
    room: roomInfo(r.room, now),
    joinCode: r.room.joinCode,
    settings: r.room.settings,
    learners,
    counts: {
      passed: learners.filter((e) => (current ? e.passed.includes(current) : state(e) === 'passed')).length,
      failed: learners.filter((e) => state(e) === 'failed').length,
      running: learners.filter((e) => ['queued', 'compiling', 'running'].includes(state(e))).length,
      online: learners.filter((e) => e.online).length,
    },
    track,
    ...(knownNodes ? { knownNodes: [...knownNodes] } : {}),
  };
}

export function send(s: RoomSocket, m: RoomServerMessage): void {
  s.send(JSON.stringify(m));
}

export function parse<T>(schema: z.ZodType<T>, text: string): T | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'message is not JSON' };
  }
  const r = schema.safeParse(raw);
  return r.success ? r.data : { error: `bad message: ${describeIssues(r.error)}` };
}
