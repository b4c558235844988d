import type { IncomingMessage } from 'node:http';

/**
 * Who a connection comes from, for per-client quotas (sessions per client). The peer address,
 * unless the peer is one of the operator's trusted proxies (`--trust-proxy ADDR`, e.g. the web
 * app's relay or a TLS reverse proxy on this host): then the client it forwards for — its
 * `X-Bpfplay-Client` (an id the relay chooses, e.g. one per learner, so a classroom behind one NAT
 * is not one client) or else the last `X-Forwarded-For` entry no trusted proxy added. Anyone else
 * sending those headers is ignored: they would otherwise pick a fresh key per connection.
 */
export function clientKeyOf(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = normalize(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.map(normalize).includes(peer)) return peer;
  const named = header(req, 'x-bpfplay-client')?.trim();
  if (named) return `client:${named.slice(0, 128)}`;
  const hops = (header(req, 'x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalize(s.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.map(normalize).includes(hops[i]!)) return hops[i]!;
  return peer;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) is 127.0.0.1. */
function normalize(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}
