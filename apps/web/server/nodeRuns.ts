import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_CODES, NodeName, parseClientMessage, type ServerPayload } from '@bpfplay/protocol';
import { fanOutRun, type FanOutRun, type NodeFrame, type NodeRegistry } from '@bpfplay/nodes';
import type { RoomStore } from '@bpfplay/share/server';
import { roomRefusal } from './roomAccess';

/** A run message is a snippet (≤ 64 KiB of files) and options: far below this. */
const MAX_MESSAGE_BYTES = 1 << 20;
/** `?node=*`: every node that is up. */
export const ALL_NODES = '*';

/**
 * A run from the browser on one node or on all of them (issue 19), relayed: the page never talks
 * to an agent or sees a token. /rooms/<id>/ws/nodes?node=<name|*>&token=<key>[&learner=<id>]
 * takes the room's credentials (a learner's key, or the instructor's without `learner`), so one
 * learner credential reaches any node. Each `run` is a fan-out (packages/nodes fanOutRun:
 * compiled once, the object shipped to every other node); frames go back labelled with `node`,
 * a node that fails ends alone, and the last `stopped` lists every node's outcome.
 */
export function nodeRunUpgrades(
  store: RoomStore,
  registry: NodeRegistry | undefined,
  now: () => Date = () => new Date(),
) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  return function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://web');
    const m = /^\/rooms\/([^/]+)\/ws\/nodes$/.exec(url.pathname);
    if (!m) return false;
    const roomId = m[1]!;
    const token = url.searchParams.get('token') ?? '';
    const learnerId = url.searchParams.get('learner');
    const node = url.searchParams.get('node') ?? ALL_NODES;
    wss.handleUpgrade(req, socket, head, (ws) => {
      void (async () => {
        const who = learnerId === null ? { instructor: true as const } : { learner: learnerId };
        const refused = await roomRefusal(store, roomId, who, token, now());
        if (refused) return ws.close(refused.code, refused.reason);
        if (!registry)
          return ws.close(
            CLOSE_CODES.notFound,
            'this web app has one agent: runs on several nodes need BPFPLAY_AGENTS_FILE or BPFPLAY_AGENTS_SERVICE',
          );
        if (node !== ALL_NODES && !NodeName.safeParse(node).success)
          return ws.close(CLOSE_CODES.notFound, 'no such node');
        // A learner runs only on the room's nodes, as they stand at each run (the instructor may change them).
        const allowed =
          learnerId === null ? async () => null : async () => (await store.room(roomId))?.settings.nodes ?? null;
        new NodeRunSession(
          ws,
          registry,
          node,
          learnerId === null ? `${roomId}/instructor` : `${roomId}/${learnerId}`,
          allowed,
        );
      })().catch((e) => ws.close(1011, `node run error: ${(e as Error).message}`.slice(0, 120)));
    });
    return true;
  };
}

/** One browser socket: at most one fan-out run at a time, stopped when the page goes away. */
class NodeRunSession {
  /** The run going on; `handle` is absent while the room's nodes are being read. */
  private run: { id: string; handle?: FanOutRun } | undefined;
  private seq = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly registry: NodeRegistry,
    private readonly node: string,
    private readonly clientId: string,
    /** The nodes this credential may run on; null: every node. */
    private readonly allowed: () => Promise<readonly string[] | null>,
  ) {
    ws.on('message', (d, binary) => void this.receive(d, binary));
    ws.on('close', () => this.run?.handle?.stop());
    ws.on('error', () => ws.terminate());
  }

  /** Every frame gets this socket's own seq: the merged stream and the relay's errors are one sequence. */
  private send(m: ServerPayload | NodeFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify({ ...m, seq: this.seq++ }));
  }

  private async receive(d: RawData, binary: boolean): Promise<void> {
    if (binary) return this.send({ type: 'error', code: 'bad-message', message: 'send JSON text frames' });
    const parsed = parseClientMessage(d.toString());
    if (!parsed.ok)
      return this.send({
        type: 'error',
        code: parsed.code,
        message: parsed.message,
        ...(parsed.runId ? { runId: parsed.runId } : {}),
      });
    const m = parsed.message;
    if (m.type === 'ping') return this.send({ type: 'pong', ...(m.t !== undefined ? { t: m.t } : {}) });
    if (m.type === 'stop') {
      if (this.run?.id === m.runId) this.run.handle?.stop();
      return;
    }
    if (m.type !== 'run')
      return this.send({ type: 'error', code: 'bad-message', message: `"${m.type}" is not relayed to several nodes` });
    if (this.run)
      return this.send({
        type: 'error',
        code: 'busy',
        runId: m.runId,
        message: `run "${this.run.id}" is still going on the nodes: stop it first`,
      });
    // Taken before the room is read, so a second run sent meanwhile is refused as busy.
    this.run = { id: m.runId };
    let allowed: readonly string[] | null;
    try {
      allowed = await this.allowed();
    } catch (e) {
      this.run = undefined;
      const message = `could not read this room's nodes: ${(e as Error).message}`;
      return this.send({ type: 'error', code: 'internal', runId: m.runId, message });
    }
    this.run = undefined;
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (allowed && this.node !== ALL_NODES && !allowed.includes(this.node))
      return this.send({
        type: 'error',
        code: 'not-found',
        runId: m.runId,
        message: `node "${this.node}" does not serve this room: its instructor chose ${allowed.join(', ')}`,
      });
    const nodes = (
      this.node === ALL_NODES ? this.registry.up() : [this.registry.endpoint(this.node)].filter((e) => e !== undefined)
    ).filter((e) => !allowed || allowed.includes(e.name));
    if (nodes.length === 0 && allowed && this.node === ALL_NODES)
      return this.send({
        type: 'error',
        code: 'not-found',
        runId: m.runId,
        message: `none of this room's nodes (${allowed.join(', ')}) is up right now: the node list says why`,
      });
    if (nodes.length === 0)
      return this.send({
        type: 'error',
        code: 'not-found',
        runId: m.runId,
        message:
          this.node === ALL_NODES
            ? 'no node is up right now: the node list says why'
            : `no node named "${this.node}" (the node list shows the names)`,
      });
    const handle = fanOutRun({
      nodes,
      runId: m.runId,
      snippet: m.snippet,
      options: m.options ?? {},
      clientId: this.clientId,
      onFrame: (f) => this.send(f),
    });
    this.run = { id: m.runId, handle };
    void handle.done.then(() => {
      if (this.run?.handle === handle) this.run = undefined;
    });
  }
}
