import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnippetFile } from '@bpfplay/protocol';

/** A golden's JSON text: compared with toMatchFileSnapshot, rewritten by `vitest -u` (review the diff). */
export const asJson = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

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
