import type { SourceLocation } from '@bpfplay/protocol';

/**
 * Where a program is defined in the user's files, for refusals that are about the program as a
 * whole (its type, its uprobe target) rather than one call. The object's line info would point at
 * the first instruction, which is often the body's first statement; the `SEC("...")` line is what
 * the user has to change, so it is found in the source text. A section built by a macro or string
 * concatenation falls back to the first line that mentions the program's function, e.g.
 * `int BPF_PROG(handle, ...)` or `int handle(void *ctx)`.
 */
export type ProgramLocator = (section: string, program: string) => SourceLocation | undefined;

const SEC = /\bSEC\s*\(\s*"([^"]*)"\s*\)/g;

export function programLocator(files: readonly { name: string; content: string }[]): ProgramLocator {
  const bySection = new Map<string, { loc: SourceLocation; after: string }[]>();
  for (const f of files) {
    const lines = f.content.split('\n');
    lines.forEach((text, i) => {
      for (const m of text.matchAll(SEC)) {
        const list = bySection.get(m[1]!) ?? [];
        // The function name follows the SEC() on the same line or the next two.
        const after = [text.slice(m.index + m[0].length), lines[i + 1] ?? '', lines[i + 2] ?? ''].join('\n');
        list.push({ loc: { file: f.name, line: i + 1, col: m.index + 1 }, after });
        bySection.set(m[1]!, list);
      }
    });
  }
  const definition = (program: string): SourceLocation | undefined => {
    const re = new RegExp(`\\b${program}\\b\\s*[(,]`);
    for (const f of files) {
      const lines = f.content.split('\n');
      const i = lines.findIndex((l) => re.test(l));
      if (i >= 0) return { file: f.name, line: i + 1, col: lines[i]!.search(re) + 1 };
    }
    return undefined;
  };
  return (section, program) => {
    const found = bySection.get(section);
    if (!found?.length) return /^\w+$/.test(program) ? definition(program) : undefined;
    const named = /^\w+$/.test(program)
      ? found.find((c) => new RegExp(`\\b${program}\\s*\\(`).test(c.after))
      : undefined;
    return (named ?? found[0]!).loc;
  };
}
