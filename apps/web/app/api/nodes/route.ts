import { NextResponse } from 'next/server';
import { defaultNodeList, type NodesResponse } from '../../../src/server/nodes';

// The registry refreshes in the background; each request reads its latest view.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<NextResponse<NodesResponse>> {
  return NextResponse.json(await defaultNodeList()(), { headers: { 'cache-control': 'no-store' } });
}
