import { NextResponse } from 'next/server';
import { getShareApi, handleCreateRequest, shareRequestPolicy } from '@bpfplay/share/server';

// better-sqlite3 is a native addon: the edge runtime cannot load it.
export const runtime = 'nodejs';

/**
 * Store a snippet; answers {id, url, created} or {error} (400/403/413/415/429/500), see
 * packages/share/README.md. The request itself (same-origin, JSON, body cap read as a stream, the
 * client behind trusted proxies) is checked in packages/share/src/request.ts.
 */
export async function POST(req: Request) {
  const r = await handleCreateRequest(getShareApi(), req, shareRequestPolicy());
  return NextResponse.json(r.json, { status: r.status, ...(r.headers ? { headers: r.headers } : {}) });
}
