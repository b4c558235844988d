import { NextResponse } from 'next/server';
import { getShareApi } from '@bpfplay/share/server';

export const runtime = 'nodejs';

/** A stored snippet as JSON; immutable, so the answer carries a year-long cache header. */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const r = await getShareApi().handleGet((await params).id);
  return NextResponse.json(r.json, { status: r.status, ...(r.headers ? { headers: r.headers } : {}) });
}
