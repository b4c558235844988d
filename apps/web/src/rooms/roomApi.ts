import { z } from 'zod';
import {
  CreateRoomResponse,
  JoinResponse,
  LessonSummary,
  RoomInfo,
  type CreateRoomRequest,
  type JoinRequest,
} from '@bpfplay/protocol';

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** One room endpoint of the web server (server/roomRoutes.ts): its answer checked against the protocol. */
async function call<T>(schema: z.ZodType<T>, path: string, init?: RequestInit): Promise<ApiResult<T>> {
  let r: Response;
  try {
    r = await fetch(path, { ...init, headers: { 'content-type': 'application/json' } });
  } catch (e) {
    return { ok: false, error: `the web server did not answer (${(e as Error).message})` };
  }
  const body: unknown = await r.json().catch(() => null);
  if (!r.ok) {
    const msg = (body as { error?: unknown } | null)?.error;
    return { ok: false, error: typeof msg === 'string' ? msg : `HTTP ${r.status}` };
  }
  const parsed = schema.safeParse(body);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: 'unexpected answer from the web server' };
}

export const lessonTrack = () => call(z.array(LessonSummary), '/api/lessons');

export const createRoom = (req: CreateRoomRequest) =>
  call(CreateRoomResponse, '/api/rooms', { method: 'POST', body: JSON.stringify(req) });

export const roomInfo = (id: string) => call(RoomInfo, `/api/rooms/${encodeURIComponent(id)}`);

export const joinRoom = (id: string, req: JoinRequest) =>
  call(JoinResponse, `/api/rooms/${encodeURIComponent(id)}/join`, { method: 'POST', body: JSON.stringify(req) });

/** ws(s)://<this host>/rooms/<id>/ws/<kind>: the room sockets live on the web server itself. */
export function roomSocketUrl(
  loc: Pick<Location, 'protocol' | 'host'>,
  id: string,
  kind: 'teach' | 'learn' | 'agent',
  learner?: string,
): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const u = new URL(`${scheme}//${loc.host}/rooms/${encodeURIComponent(id)}/ws/${kind}`);
  if (learner !== undefined) u.searchParams.set('learner', learner);
  return u.toString();
}
