import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnippetFile } from '@bpfplay/protocol';

/** Rewrite golden files from the real tools instead of comparing (review the diff before committing). */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/** A folder of golden cases, one sub-folder each holding a snippet (*.c, *.h) and the expected files. */
export function goldenCases(kind: string): { dir: string; cases: string[]; filesOf(name: string): SnippetFile[] } {
  const dir = join(import.meta.dirname, 'golden', kind);
  return {
    dir,
    cases: readdirSync(dir).sort(),
    filesOf: (name) =>
      readdirSync(join(dir, name))
        .filter((f) => /\.(c|h)$/.test(f))
        .sort()
        .map((f) => ({ name: f, content: readFileSync(join(dir, name, f), 'utf8') })),
  };
}
