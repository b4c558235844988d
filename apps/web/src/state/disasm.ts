import type { DisasmLine, SourceLocation } from '@bpfplay/protocol';
import { snippetFileOf } from './markers';

export interface DisasmRow extends DisasmLine {
  /** Where this line came from in the snippet: its own location, or that of the source line above it. */
  at: { file: string; line: number } | null;
}

/**
 * llvm-objdump -S prints a source line, then the instructions compiled from it. Instructions often
 * carry no location of their own; they belong to the source line printed above them.
 */
export function annotateDisasm(lines: readonly DisasmLine[], files: readonly string[], mainFile: string): DisasmRow[] {
  let current: DisasmRow['at'] = null;
  const resolve = (loc: SourceLocation | undefined): DisasmRow['at'] => {
    if (!loc || loc.line <= 0) return null;
    const file = snippetFileOf(loc.file, files, mainFile);
    return file === null ? null : { file, line: loc.line };
  };
  return lines.map((l) => {
    if (l.kind === 'label') {
      current = null;
      return { ...l, at: null };
    }
    const own = resolve(l.location);
    if (l.kind === 'source') current = own;
    return { ...l, at: own ?? current };
  });
}

/** Rows that belong to `file:line`, for highlighting the disassembly when the editor cursor moves. */
export function rowsForLine(rows: readonly DisasmRow[], file: string, line: number): number[] {
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (r.at && r.at.file === file && r.at.line === line) out.push(i);
  });
  return out;
}
