import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RoomStore } from '@bpfplay/share/server';
import type { RoomHub, RoomSocket } from './roomHub';
import { roomRefusal } from './roomAccess';
import { LearnerRelay, RELAY_CLOSE } from './relay';
import type { AgentTargets } from './agentTargets';

/** A learner or instructor message on the room channel: small JSON (a snippet at most). */
const MAX_ROOM_MESSAGE_BYTES = 1 << 20;

/**
 * A room channel over a WebSocket. Messages that arrive while the credential is still being
 * checked (a page may send at once on open) wait for the handler instead of being lost.
 */
export function roomSocket(ws: WebSocket): RoomSocket {
  let handler: ((text: string) => void) | null = null;
  const early: string[] = [];
  ws.on('message', (d, binary) => {
    if (binary) return;
    if (handler) handler(d.toString());
    else if (early.length < 16) early.push(d.toString());
  });
  return {
    send: (text) => ws.readyState === ws.OPEN && ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    onMessage: (fn) => {
      handler = fn;
      for (const t of early.splice(0)) fn(t);
    },
    onClose: (fn) => ws.on('close', fn),
  };
}

/**
 * The room WebSockets, all under /rooms/<id>/ws/…, each with its credential in `?token=` (the
 * page's socket code puts it there, as for the agent):
 *   teach?token=<instructor key>                  the instructor's room channel
 *   learn?learner=<id>&token=<learner key>        a learner's room channel
 *   agent?learner=<id>&token=<learner key>        a learner's agent session, relayed
 * A wrong credential is answered like the agent answers a wrong token (4401), so the page shows
 * the same kind of message; a room past its expiry refuses learners (CLOSE_CODES.roomEnded).
 */
export function roomUpgrades(
  store: RoomStore,
  hub: RoomHub,
  targets: AgentTargets,
  now: () => Date = () => new Date(),
) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 48 << 20 });

  return function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://web');
    const m = /^\/rooms\/([^/]+)\/ws\/(teach|learn|agent)$/.exec(url.pathname);
    if (!m) return false;
    const [, roomId, kind] = m as unknown as [string, string, 'teach' | 'learn' | 'agent'];
    const token = url.searchParams.get('token') ?? '';
    const learnerId = url.searchParams.get('learner') ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (kind !== 'agent')
        ws.on('message', (d) => sizeOf(d) > MAX_ROOM_MESSAGE_BYTES && ws.close(1009, 'message too large'));
      const channel = kind === 'agent' ? null : roomSocket(ws);
      void (async () => {
        const who = kind === 'teach' ? { instructor: true as const } : { learner: learnerId };
        const refused = await roomRefusal(store, roomId, who, token, now());
        if (refused) return ws.close(refused.code, refused.reason);
        if (kind === 'teach') return hub.instructor(roomId, channel!);
        if (kind === 'learn') return hub.learnerChannel(roomId, learnerId, channel!);
        const nodes = (await store.room(roomId))?.settings.nodes ?? null;
        const target = targets.pick(`${roomId}/${learnerId}`, nodes);
        if (!target)
          return ws.close(
            RELAY_CLOSE.agentGone,
            nodes
              ? `none of this room's nodes (${nodes.join(', ')}) is up right now`
              : 'no agent is up for this room right now',
          );
        let hooks: Awaited<ReturnType<RoomHub['learnerAgent']>>;
        const relay = new LearnerRelay(ws, target, `${roomId}/${learnerId}`, {
          activity: (a) => hooks?.activity(a),
          code: (s) => hooks?.code(s),
          closed: () => hooks?.closed(),
        });
        hooks = await hub.learnerAgent(roomId, learnerId, relay, target.name);
        if (relay.isEnded) hooks?.closed();
      })().catch((e) => ws.close(1011, `room error: ${(e as Error).message}`.slice(0, 120)));
    });
    return true;
  };
}

function sizeOf(d: unknown): number {
  if (Buffer.isBuffer(d)) return d.length;
  if (Array.isArray(d)) return d.reduce((n, b: Buffer) => n + b.length, 0);
  return (d as ArrayBuffer).byteLength;
}
