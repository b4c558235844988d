import Link from 'next/link';

/** What /s/<id> and /embed/<id> show for an id the store does not have (never a blank page). */
export function SnippetMissing({ error, compact = false }: { error: string; compact?: boolean }) {
  return (
    <div className={compact ? 'embed missing' : 'gallery-page missing'} data-testid="snippet-missing">
      <h1>Snippet not found</h1>
      <p className="error-text">{error}.</p>
      <p>
        <Link href="/" target={compact ? '_blank' : undefined}>
          Open the playground
        </Link>
      </p>
    </div>
  );
}
