import { NextResponse } from 'next/server';
import { createNodeList, type NodesResponse } from '../../../src/server/nodes';

// The registry refreshes in the background; each request reads its latest view.
export const dynamic = 'force-dynamic';

const nodeList = createNodeList(process.env);

export async function GET(): Promise<NextResponse<NodesResponse>> {
  return NextResponse.json(await nodeList(), { headers: { 'cache-control': 'no-store' } });
}
