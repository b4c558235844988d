import Link from 'next/link';
import type { KernelTable, KernelTableCell } from '@bpfplay/protocol';

const MARK: Record<KernelTableCell['status'], string> = { ok: '✓', quiet: '◐', fails: '✗' };
const TONE: Record<KernelTableCell['status'], string> = { ok: 'ok', quiet: 'warn', fails: 'error-text' };

/**
 * The generated table of which gallery example runs on which kernel of the matrix (the same data
 * as bpf/README.md's section), on the examples page: a learner sees where a kprobe example runs
 * before opening it. A cell's reason is its tooltip and, for failures, its text.
 */
export function KernelTableView({ table }: { table: KernelTable }) {
  return (
    <section className="kernel-table" data-testid="kernel-table" aria-label="Which example runs on which kernel">
      <h2>Which example runs on which kernel</h2>
      <p className="muted small">
        ✓ ran and showed what it promises · ◐ ran, that output did not show in its time · ✗ did not run there. Made by
        running every example on each kernel ({table.generatedAt.slice(0, 10)}, <code>{table.command}</code>).
      </p>
      <div className="table-scroll">
        <table className="grid small">
          <thead>
            <tr>
              <th>example</th>
              {table.targets.map((t) => (
                <th key={t.name} title={t.release}>
                  {t.name === 'host' ? `host (${t.release})` : t.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.example} data-testid={`kernel-table-${r.example}`}>
                <td>
                  <Link href={`/?example=${encodeURIComponent(r.example)}`}>{r.example}</Link>
                </td>
                {table.targets.map((t) => {
                  const c = r.cells[t.name];
                  return (
                    <td key={t.name} className={c ? TONE[c.status] : 'muted'} title={c?.why}>
                      {c ? MARK[c.status] : '—'}
                      {c?.status === 'fails' && c.why ? ` ${c.why.split(':')[0]}` : ''}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
