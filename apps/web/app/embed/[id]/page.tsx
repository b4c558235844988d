import type { Metadata } from 'next';
import { Embed } from '../../../src/components/Embed';
import { SnippetMissing } from '../../../src/components/SnippetMissing';
import { loadStoredSnippet } from '../../../src/server/storedSnippet';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `bpfplay — embedded snippet ${(await params).id}` };
}

/**
 * The compact view for iframes. Next sends no X-Frame-Options by default; if a CSP with
 * frame-ancestors is added later, /embed/* must stay embeddable.
 */
export default async function EmbedPage({ params }: Props) {
  const { id } = await params;
  const r = await loadStoredSnippet(id);
  if (!r.ok) return <SnippetMissing error={r.error} compact />;
  return <Embed key={id} snippet={r.snippet} />;
}
