import type { Metadata } from 'next';
import { Playground } from '../../../src/components/Playground';
import { SnippetMissing } from '../../../src/components/SnippetMissing';
import { loadStoredSnippet } from '../../../src/server/storedSnippet';

// Read from the store on each request; the rows never change, but new ids appear all the time.
export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `bpfplay — snippet ${(await params).id}` };
}

/** A shared snippet, opened in the editor (the store is read here, in the server component). */
export default async function SharedSnippetPage({ params }: Props) {
  const { id } = await params;
  const r = await loadStoredSnippet(id);
  if (!r.ok) return <SnippetMissing error={r.error} />;
  // A new id is a new page: the key makes sure a client-side move between two of them opens the second.
  return <Playground key={id} shared={r.snippet} />;
}
