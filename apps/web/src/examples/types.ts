import type { ExampleMeta } from '@bpfplay/protocol';

/** One gallery entry as the web app serves it: bpf/<name>/ with its files and validated meta.json. */
export interface Example {
  name: string;
  meta: ExampleMeta;
  files: { name: string; content: string }[];
  main?: string;
  /** Why meta.json could not be used (the example still loads, with a fallback title). */
  problem: string | null;
}

/** What /api/examples answers: names and contents only, never a path on the server's disk. */
export interface ExamplesResponse {
  examples: Example[];
  error: string | null;
}
