import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of hashes, so the token cannot be guessed byte by byte from timings. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(token));
}

/** An id for logs and quotas that does not reveal the token. */
export function tokenId(token: string): string {
  return digest(token).toString('hex').slice(0, 12);
}

/** Token from `?token=`, `Authorization: Bearer`, or the `bpfplay-token.<T>` WebSocket subprotocol. */
export function requestToken(req: IncomingMessage): string | undefined {
  const url = new URL(req.url ?? '/', 'http://agent');
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const proto = req.headers['sec-websocket-protocol'];
  if (typeof proto === 'string') {
    for (const p of proto.split(',').map((s) => s.trim())) {
      if (p.startsWith('bpfplay-token.')) return p.slice('bpfplay-token.'.length);
    }
  }
  return undefined;
}

/**
 * Browsers always send Origin on WebSocket handshakes and cross-site fetches; a page on another site
 * holding a stolen token must still be refused. Non-browser clients (the CLI, tests) send none and are
 * judged by the token alone.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[], self: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === self || allowed.includes(origin);
}
