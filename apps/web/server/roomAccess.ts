import { CLOSE_CODES, RoomId } from '@bpfplay/protocol';
import type { RoomStore } from '@bpfplay/share/server';
import { roomInfo } from './roomHub';

/** A refused room socket: the close code and the reason the page shows. */
export interface RoomRefusal {
  code: number;
  reason: string;
}

/**
 * Whether a room socket may open, checked the same way for every room socket (instructor, learner,
 * a learner's agent relay, runs on several nodes): the room exists, the credential is the
 * instructor key or that learner's key, and a learner's room has not ended (an instructor may still
 * look at it). Undefined when it may.
 */
export async function roomRefusal(
  store: RoomStore,
  roomId: string,
  who: { instructor: true } | { learner: string },
  token: string,
  now: Date,
): Promise<RoomRefusal | undefined> {
  const notFound = { code: CLOSE_CODES.notFound, reason: 'no such room' };
  if (!RoomId.safeParse(roomId).success) return notFound;
  const room = await store.room(roomId);
  if (!room) return notFound;
  if ('instructor' in who) {
    if (!(await store.instructorKeyValid(roomId, token)))
      return {
        code: CLOSE_CODES.unauthorized,
        reason: 'wrong instructor key: open the instructor link you were given',
      };
    return undefined;
  }
  if (!RoomId.safeParse(who.learner).success || !(await store.learnerKeyValid(roomId, who.learner, token)))
    return { code: CLOSE_CODES.unauthorized, reason: 'not a learner of this room: join it again with its code' };
  if (roomInfo(room, now).expired)
    return {
      code: CLOSE_CODES.roomEnded,
      reason: `this room ended at ${room.expiresAt}; your code stays in this browser`,
    };
  return undefined;
}
