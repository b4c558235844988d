import type { Diagnostic, LspDiagnostic } from '@bpfplay/protocol';
import { snippetFileOf } from '../../state/markers';

/**
 * What compile-as-you-type adds to clangd's squiggles: clang's own errors that clangd, which only
 * parses, never sees (the BPF back end: "too many arguments", stack size, unsupported calls...).
 * A diagnostic clangd already shows on the same line with the same words is left out; notes and
 * diagnostics in files the editor does not show are too.
 */
export function checkMarkers(
  diagnostics: readonly Diagnostic[],
  files: readonly string[],
  main: string,
  clangd: ReadonlyMap<string, readonly LspDiagnostic[]>,
): Map<string, { line: number; col: number; severity: 'error' | 'warning'; message: string }[]> {
  const out = new Map<string, { line: number; col: number; severity: 'error' | 'warning'; message: string }[]>();
  const same = (a: string, b: string) => a.toLowerCase().slice(0, 60) === b.toLowerCase().slice(0, 60);
  for (const d of diagnostics) {
    if (d.severity === 'note' || d.severity === 'remark') continue;
    const file = snippetFileOf(d.file, files, main);
    if (file === null) continue;
    const line = Math.max(1, d.line);
    const shown = clangd.get(file) ?? [];
    if (shown.some((c) => c.range.start.line + 1 === line && same(c.message, d.message))) continue;
    const list = out.get(file) ?? [];
    list.push({
      line,
      col: Math.max(1, d.col),
      severity: d.severity === 'warning' ? 'warning' : 'error',
      message: d.message,
    });
    out.set(file, list);
  }
  return out;
}
