import type { ApiResponse, ShareApi } from './api';
import { describeBytes, MAX_REQUEST_BYTES } from './limits';

/**
 * POST /api/snippets as an HTTP request, before the API sees it: who is asking (for the rate limit),
 * whether a browser page of another site is asking on a visitor's behalf, whether the body is JSON,
 * and reading the body without ever holding more than the cap. Works on a web `Request`, so any
 * server (Next.js route handlers here) passes its request in and sends the answer back out.
 */
export interface ShareRequestPolicy {
  /**
   * Addresses of the reverse proxies in front of the web server (BPFPLAY_TRUSTED_PROXIES). Only
   * then are X-Forwarded-For and X-Forwarded-Host believed, and only the entries those proxies
   * added; without a proxy any client can write any X-Forwarded-For.
   */
  trustedProxies: readonly string[];
  /** Largest body read; default MAX_REQUEST_BYTES. */
  maxBodyBytes?: number;
}

type Headers = { get(name: string): string | null };

const error = (status: number, message: string): ApiResponse => ({ status, json: { error: message } });

/** Without a trusted proxy, every direct client shares this one rate-limit bucket. */
export const DIRECT_CLIENTS = 'direct';

/**
 * The client a request comes from, for the rate limit. Behind trusted proxies: the last
 * X-Forwarded-For entry that is not one of them (each proxy appends the address it saw, so the
 * entries before the first untrusted one from the right are the client's own claims). Without a
 * configured proxy forwarding headers are ignored altogether — Next.js gives route handlers no peer
 * address, and a spoofed header must not buy a fresh bucket — so all direct clients share one.
 */
export function clientKey(headers: Headers, policy: ShareRequestPolicy): string {
  if (!policy.trustedProxies.length) return DIRECT_CLIENTS;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!policy.trustedProxies.includes(hops[i]!)) return hops[i]!;
  return DIRECT_CLIENTS;
}

/**
 * A write must come from a page of this site (or from a client that is no browser page at all: no
 * Origin, no Sec-Fetch-Site). A page elsewhere could otherwise make every visitor's browser post
 * snippets here — its requests carry their Origin, which browsers do not let a page forge.
 */
export function sameOriginProblem(headers: Headers, url: string, policy: ShareRequestPolicy): string | undefined {
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none')
    return `writes must come from this site's own pages (Sec-Fetch-Site: ${site})`;
  const origin = headers.get('origin');
  if (origin === null) return undefined;
  const forwarded = policy.trustedProxies.length ? headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  const host = forwarded || headers.get('host') || new URL(url).host;
  let from: string;
  try {
    from = new URL(origin).host;
  } catch {
    return `writes must come from this site's own pages (Origin: ${origin})`;
  }
  return from === host ? undefined : `writes must come from this site's own pages (Origin ${origin} is not ${host})`;
}

/** The body as text, read chunk by chunk and abandoned as soon as it passes `cap` bytes. */
export async function readCappedText(
  body: ReadableStream<Uint8Array> | null,
  cap: number,
): Promise<{ ok: true; text: string } | { ok: false; bytes: number }> {
  if (!body) return { ok: true, text: '' };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > cap) {
      await reader.cancel().catch(() => {});
      return { ok: false, bytes };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/** POST /api/snippets: every check above, then the API. */
export async function handleCreateRequest(
  api: ShareApi,
  req: Request,
  policy: ShareRequestPolicy,
): Promise<ApiResponse> {
  const cap = policy.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const cross = sameOriginProblem(req.headers, req.url, policy);
  if (cross) return error(403, cross);
  const type = req.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    return error(415, `send the snippet as JSON with Content-Type: application/json (got ${type ?? 'none'})`);
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > cap) return error(413, `request body is ${declared} bytes; the limit is ${describeBytes(cap)}`);
  const body = await readCappedText(req.body, cap);
  if (!body.ok)
    return error(413, `request body is over ${describeBytes(cap)} (stopped reading at ${body.bytes} bytes)`);
  return api.handleCreate(body.text, clientKey(req.headers, policy));
}

/** The policy from the environment: BPFPLAY_TRUSTED_PROXIES="127.0.0.1,::1" (comma-separated addresses). */
export function shareRequestPolicy(env: Record<string, string | undefined> = process.env): ShareRequestPolicy {
  return {
    trustedProxies: (env.BPFPLAY_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
