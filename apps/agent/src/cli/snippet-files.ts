import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { describeIssues, Snippet } from '@bpfplay/protocol';

/** Print `bpfplay: message` and exit (2: usage or unreachable agent, as the README says). */
export function fail(message: string, code = 2): never {
  process.stderr.write(`bpfplay: ${message}\n`);
  process.exit(code);
}

/** Files named on the command line as one snippet, checked against the protocol before anything is sent. */
export function readSnippet(files: string[], main: string | undefined, usage: string): Snippet {
  if (!files.length) fail(`at least one file is needed\n${usage}`);
  const raw = {
    files: files.map((f) => {
      try {
        if (statSync(f).size > 1 << 20) fail(`${f} is larger than 1 MiB`);
        return { name: basename(f), content: readFileSync(f, 'utf8') };
      } catch (e) {
        return fail(`cannot read ${f}: ${(e as Error).message}`);
      }
    }),
    ...(main ? { main: basename(main) } : {}),
  };
  const r = Snippet.safeParse(raw);
  if (!r.success) fail(`the files do not form a valid snippet: ${describeIssues(r.error)}`);
  return r.data;
}
