import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import type { ClientMessage, ServerPayload } from '@bpfplay/protocol';
import { readLessons } from '@bpfplay/lessons';
import { SqliteStore } from '@bpfplay/share/server';
import { AdmissionLine } from '../server/admission';
import { RoomHub } from '../server/roomHub';
import { roomRoutes } from '../server/roomRoutes';
import { roomUpgrades } from '../server/roomSockets';
import type { AgentTarget } from '../server/relay';
import { hello } from './fixtures';

/**
 * The rooms half of the web server (dist/server.mjs without Next.js) on a free port, over a real
 * SQLite file, relaying to a stand-in agent the test drives frame by frame. The real agent behind
 * the real server is e2e/specs/rooms.spec.ts.
 */
export const lessonsDir = fileURLToPath(new URL('../../../bpf/lessons', import.meta.url));

export interface FakeAgentSession {
  headers: Record<string, string | string[] | undefined>;
  received: ClientMessage[];
  send(m: ServerPayload): void;
  /** The relay closed this session (the learner left, or was let go). */
  closed: boolean;
}

/** `capabilities`: what the stand-in's hello adds (e.g. prebuiltObjects for fan-out runs). */
export async function fakeAgent(maxConcurrentRuns: number, capabilities: Partial<typeof hello.capabilities> = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sessions: FakeAgentSession[] = [];
  const waiters: (() => void)[] = [];
  wss.on('connection', (ws, req) => {
    let seq = 0;
    const s: FakeAgentSession = {
      headers: req.headers,
      received: [],
      send: (m) => ws.send(JSON.stringify({ ...m, seq: seq++ })),
      closed: false,
    };
    ws.on('close', () => {
      s.closed = true;
      waiters.splice(0).forEach((w) => w());
    });
    ws.on('message', (d) => {
      s.received.push(JSON.parse(d.toString()) as ClientMessage);
      waiters.splice(0).forEach((w) => w());
    });
    sessions.push(s);
    const { seq: _s, ...h } = hello;
    s.send({ ...h, capabilities: { ...h.capabilities, ...capabilities }, limits: { ...h.limits, maxConcurrentRuns } });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    sessions,
    /** Resolves when some session has received a message matching `pred`. */
    async got(pred: (m: ClientMessage, s: FakeAgentSession) => boolean): Promise<FakeAgentSession> {
      for (;;) {
        const s = sessions.find((x) => x.received.some((m) => pred(m, x)));
        if (s) return s;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    /** The agent dies: every session's connection drops at once (close() alone leaves them open). */
    kill: () => {
      for (const c of wss.clients) c.terminate();
    },
    close: () => new Promise<void>((r) => wss.close(() => r())),
  };
}

/**
 * `nodes`: the web app has these nodes (an agents file), every one relayed to the same stand-in
 * agent; `picks` records the room's node choice each placement was given.
 */
export async function roomServer(dataDir: string, agentUrl: string, now?: () => Date, nodes?: string[]) {
  const store = new SqliteStore({ dataDir });
  const { lessons } = readLessons(lessonsDir);
  const hub = new RoomHub(
    store.rooms,
    () => lessons,
    now,
    () => nodes,
  );
  const line = new AdmissionLine({
    setTimeout: (f, ms) => setTimeout(f, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  });
  const target: AgentTarget = { name: 'fake', url: agentUrl, token: 'agent-secret', line };
  const http = roomRoutes(store.rooms, hub, now);
  const picks: (readonly string[] | null | undefined)[] = [];
  const pick = (_learner: string, allowed?: readonly string[] | null) => {
    picks.push(allowed);
    return nodes ? { ...target, name: allowed?.[0] ?? nodes[0]! } : target;
  };
  const upgrade = roomUpgrades(store.rooms, hub, { pick, describe: 'fake' }, now);
  const server: Server = createServer((req, res) => {
    void http(req, res).then((done) => done || res.writeHead(404).end());
  });
  server.on('upgrade', (req, socket, head) => upgrade(req, socket, head) || socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: Client[] = [];
  return {
    base,
    line,
    hub,
    store: store.rooms,
    picks,
    post: async (path: string, body: unknown) => {
      const r = await fetch(base + path, { method: 'POST', body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> & { error?: string } };
    },
    socket: (path: string) => {
      const c = new Client(base.replace('http', 'ws') + path);
      clients.push(c);
      return c;
    },
    close: async () => {
      // Upgraded sockets are no longer the HTTP server's: end them, or close() waits for them.
      await Promise.all(clients.map((c) => (c.ws.terminate(), c.whenClosed())));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}

/** A WebSocket that keeps every JSON message and waits for the one a test expects. */
export class Client {
  readonly ws: WebSocket;
  readonly messages: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d, binary) => {
      if (!binary) this.messages.push(JSON.parse(d.toString()) as Record<string, unknown>);
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  send(m: unknown): void {
    const go = () => this.ws.send(JSON.stringify(m));
    if (this.ws.readyState === WebSocket.OPEN) go();
    else this.ws.once('open', go);
  }

  async next<T = Record<string, unknown>>(pred: (m: Record<string, unknown>) => boolean, what: string): Promise<T> {
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit as T;
      if (this.closed) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) before ${what}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async whenClosed(): Promise<{ code: number; reason: string }> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }
}
