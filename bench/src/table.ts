/**
 * Figures are printed as Markdown tables, so the bench's output can go into RESULTS.md as it is.
 * Every figure is one table: a row per measurement, its reference measured in the same run beside it.
 */
export interface Table {
  title: string;
  head: string[];
  rows: string[][];
  notes?: string[];
}

export function renderTable(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `### ${t.title}`,
    '',
    line(t.head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...t.rows.map(line),
    ...(t.notes?.length ? ['', ...t.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}
