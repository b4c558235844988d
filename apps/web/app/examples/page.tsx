import Link from 'next/link';
import { examplesDir, readExamples, readKernelTable } from '../../src/server/examples';
import { KernelTableView } from '../../src/components/KernelTableView';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'bpfplay — examples' };

/** The gallery as a page of its own (also reachable from the editor's sidebar). */
export default async function ExamplesPage() {
  const dir = examplesDir();
  const { examples, error } = await readExamples(dir);
  const table = await readKernelTable(dir);
  return (
    <div className="gallery-page">
      <header>
        <h1>
          <Link href="/">bpfplay</Link> · examples
        </h1>
        <p className="muted">Each one runs in CI against this kernel. Open one to edit and run it.</p>
      </header>
      {error && <p className="error-text">{error}</p>}
      <div className="gallery-grid">
        {examples.map((e) => (
          <Link
            key={e.name}
            href={`/?example=${encodeURIComponent(e.name)}`}
            className="gallery-card"
            data-testid={`gallery-${e.name}`}
          >
            <span className="cat">{e.meta.category}</span>
            <h2>{e.meta.title}</h2>
            <p>{e.meta.description || e.problem}</p>
            <p className="kinds">
              {e.meta.kinds.map((k) => (
                <span key={k} className="kind">
                  {k}
                </span>
              ))}
            </p>
            <p className="muted small mono">{e.files.map((f) => f.name).join(' · ')}</p>
          </Link>
        ))}
      </div>
      {table && <KernelTableView table={table} />}
    </div>
  );
}
