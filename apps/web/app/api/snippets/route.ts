import { NextResponse } from 'next/server';
import { clientKeyFromHeaders, getShareApi } from '@bpfplay/share/server';

// better-sqlite3 is a native addon: the edge runtime cannot load it.
export const runtime = 'nodejs';

/** Store a snippet; answers {id, url, created} or {error} (400/413/429/500), see packages/share/README.md. */
export async function POST(req: Request) {
  // The raw text, not req.json(): the API checks the body's size before parsing it.
  const r = await getShareApi().handleCreate(await req.text(), clientKeyFromHeaders(req.headers));
  return NextResponse.json(r.json, { status: r.status, ...(r.headers ? { headers: r.headers } : {}) });
}
