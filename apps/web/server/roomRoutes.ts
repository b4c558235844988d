import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import {
  CreateRoomRequest,
  JoinRequest,
  ROOM_LIMITS,
  RoomId,
  describeIssues,
  type CreateRoomResponse,
  type JoinResponse,
} from '@bpfplay/protocol';
import { RateLimiter, type RoomStore } from '@bpfplay/share/server';
import { roomInfo, type RoomHub } from './roomHub';

/** Largest room request body: a name and a code. */
const MAX_BODY_BYTES = 4096;
/** Join codes the server makes: no 0/O or 1/I/L, which people misread off a projector. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function makeJoinCode(): string {
  return Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/**
 * The room endpoints of the web server (Next.js serves everything else):
 *   POST /api/rooms            create a room → its id, join code and the instructor's key (once)
 *   GET  /api/rooms/<id>       what the join page shows: name, expiry
 *   POST /api/rooms/<id>/join  a join code and a display name → the learner's id and key
 *   GET  /api/lessons          the lesson track (ids, titles, what each needs)
 * Creating and joining are rate limited per address: each writes to the database.
 */
export function roomRoutes(store: RoomStore, hub: RoomHub, now: () => Date = () => new Date()) {
  // A classroom joins from one address (NAT): 100 joins at once, then 1 a second.
  const joins = new RateLimiter({ capacity: 100, refillPerSecond: 1, what: 'joins' });
  const creates = new RateLimiter({ capacity: 10, refillPerSecond: 10 / 3600, what: 'new rooms' });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://web');
    if (url.pathname === '/api/lessons' && req.method === 'GET') return reply(res, 200, hub.track());
    const m = /^\/api\/rooms(?:\/([^/]+)(\/join)?)?\/?$/.exec(url.pathname);
    if (!m) return false;
    const [, id, join] = m;
    const peer = req.socket.remoteAddress ?? 'unknown';
    try {
      if (id === undefined) {
        if (req.method !== 'POST') return reply(res, 405, { error: 'POST a room to create it' });
        const rate = creates.take(peer);
        if (!rate.ok) return reply(res, 429, { error: rate.error });
        const body = await readJson(req, CreateRoomRequest);
        if ('error' in body) return reply(res, 400, body);
        if (body.lesson && !hub.lesson(body.lesson)) return reply(res, 400, { error: `no lesson ${body.lesson}` });
        const badNodes = body.nodes && hub.checkNodes(body.nodes);
        if (badNodes) return reply(res, 400, { error: badNodes });
        const joinCode = body.joinCode ?? makeJoinCode();
        const expiresAt =
          body.expiresInHours !== undefined
            ? new Date(now().getTime() + body.expiresInHours * 3600_000).toISOString()
            : undefined;
        const { room, instructorKey } = await store.createRoom({
          name: body.name,
          joinCode,
          ...(expiresAt ? { expiresAt } : {}),
          ...(body.lesson ? { lesson: body.lesson } : {}),
          ...(body.nodes ? { nodes: body.nodes } : {}),
        });
        const out: CreateRoomResponse = { room: roomInfo(room, now()), joinCode: room.joinCode, instructorKey };
        return reply(res, 201, out);
      }
      if (!RoomId.safeParse(id).success) return reply(res, 404, { error: 'no such room' });
      const room = await store.room(id);
      if (!room) return reply(res, 404, { error: 'no such room' });
      if (join === undefined) {
        if (req.method !== 'GET') return reply(res, 405, { error: 'GET a room' });
        return reply(res, 200, roomInfo(room, now()));
      }
      if (req.method !== 'POST') return reply(res, 405, { error: 'POST a join code and a name' });
      const rate = joins.take(peer);
      if (!rate.ok) return reply(res, 429, { error: rate.error });
      const body = await readJson(req, JoinRequest);
      if ('error' in body) return reply(res, 400, body);
      const info = roomInfo(room, now());
      if (info.expired) return reply(res, 410, { error: `this room ended at ${room.expiresAt}` });
      if (body.code.toUpperCase() !== room.joinCode) return reply(res, 403, { error: 'wrong join code' });
      if ((await store.learners(id)).length >= ROOM_LIMITS.maxLearners)
        return reply(res, 409, { error: `this room is full (${ROOM_LIMITS.maxLearners} learners)` });
      const added = await store.addLearner(id, body.name);
      if (!added.ok)
        return reply(res, 409, { error: `someone in this room is already called "${body.name}"; pick another name` });
      const out: JoinResponse = {
        room: info,
        learnerId: added.learner.id,
        name: added.learner.name,
        learnerKey: added.key,
      };
      return reply(res, 201, out);
    } catch (e) {
      return reply(res, 500, { error: `room request failed: ${(e as Error).message}` });
    }
  };
}

function reply(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T | { error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) return { error: 'request body too large' };
    chunks.push(c);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { error: 'request body is not JSON' };
  }
  const r = schema.safeParse(raw);
  return r.success ? r.data : { error: describeIssues(r.error) };
}
