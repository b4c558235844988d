import Link from 'next/link';
import { NodeList } from '../../src/components/NodeList';
import { defaultNodeList } from '../../src/server/nodes';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'bpfplay — nodes' };

/**
 * The agents this web app relays to, as GET /api/nodes reports them: rendered on the server with
 * the registry's latest view, then refreshed by the page. No token or agent address reaches it.
 */
export default async function NodesPage() {
  const initial = await defaultNodeList()();
  return (
    <div className="gallery-page nodes-page">
      <header>
        <h1>
          <Link href="/">bpfplay</Link> · nodes
        </h1>
      </header>
      <NodeList initial={initial} renderedAt={Date.now()} />
    </div>
  );
}
