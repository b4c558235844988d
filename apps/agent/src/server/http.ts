import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, MAX_CLIENT_MESSAGE_BYTES } from '@bpfplay/protocol';
import type { AgentConfig } from '../config.js';
import { originAllowed, requestToken, tokenMatches } from './auth.js';

export interface HttpHandlers {
  /** A WebSocket that passed the token and Origin checks. */
  onSession(ws: WebSocket, req: IncomingMessage): void;
  /** Why a new session must be refused now (quota), or undefined. */
  sessionRefusal(req: IncomingMessage): string | undefined;
  /** JSON for GET /api/info: the same capabilities `hello` carries. */
  info(): unknown;
}

function json(res: ServerResponse, status: number, body: unknown, origin?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
  });
  res.end(JSON.stringify(body));
}

/**
 * The agent's HTTP side. Every request except /healthz needs the token and an allowed Origin. A
 * WebSocket with a bad token or Origin is accepted and then closed with CLOSE_CODES (4401/4403) and a reason,
 * because a browser cannot read the status of a refused handshake and would show "unreachable".
 */
export function createAgentServer(
  config: AgentConfig,
  handlers: HttpHandlers,
): { server: Server; wss: WebSocketServer; selfOrigin: () => string } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const scheme = config.tls ? 'https' : 'http';
  let selfOrigin = `${scheme}://${config.host}:${config.port}`;

  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    const originOk = originAllowed(req, config.allowedOrigins, selfOrigin);
    const corsOrigin = originOk ? req.headers.origin : undefined;
    if (req.method === 'OPTIONS') {
      res.writeHead(originOk ? 204 : 403, {
        ...(corsOrigin ? { 'access-control-allow-origin': corsOrigin } : {}),
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-allow-methods': 'GET, POST',
      });
      return res.end();
    }
    if (!originOk)
      return json(res, 403, { error: `origin ${req.headers.origin} is not allowed by this agent (--allow-origin)` });
    if (!tokenMatches(requestToken(req), config.token)) {
      return json(res, 401, { error: 'missing or wrong token: use the URL the agent printed at start' }, corsOrigin);
    }
    if (url.pathname === '/api/info') return json(res, 200, handlers.info(), corsOrigin);
    json(res, 404, { error: `no such endpoint ${url.pathname}` }, corsOrigin);
  };
  // TLS is optional: agents behind a NetworkPolicy or on one machine speak plain ws; across networks
  // the operator gives them a certificate and the web app the CA (BPFPLAY_AGENTS_CA).
  const server: Server = config.tls
    ? createTlsServer({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, handler)
    : createServer(handler);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!originAllowed(req, config.allowedOrigins, selfOrigin)) {
        return ws.close(
          CLOSE_CODES.forbiddenOrigin,
          `origin ${req.headers.origin} not allowed; start the agent with --allow-origin`,
        );
      }
      if (!tokenMatches(requestToken(req), config.token)) {
        return ws.close(CLOSE_CODES.unauthorized, 'wrong or missing token: open the URL the agent printed');
      }
      const refusal = handlers.sessionRefusal(req);
      if (refusal) return ws.close(CLOSE_CODES.tooMany, refusal);
      handlers.onSession(ws, req);
    });
  });

  server.on('listening', () => {
    const a = server.address();
    if (a && typeof a === 'object') selfOrigin = `${scheme}://${config.host}:${a.port}`;
  });
  return { server, wss, selfOrigin: () => selfOrigin };
}
