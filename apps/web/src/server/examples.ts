import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExampleMeta, describeIssues, isExampleFolder } from '@bpfplay/protocol';
import { z } from 'zod';
import type { Example } from '../examples/types';

/** Files of an example folder that belong in the editor; meta.json is the gallery's, not the program's. */
const SOURCE_FILE = /\.(c|h)$/;
/** A gallery example is a few KB; anything bigger is a mistake we should not ship to every browser. */
const MAX_EXAMPLE_FILE_BYTES = 64 * 1024;

/**
 * The examples folder: BPFPLAY_EXAMPLES_DIR, else the repository's bpf/ found by walking up from
 * the working directory (next start runs in apps/web; scripts may run from the root).
 */
export function examplesDir(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): string {
  if (env.BPFPLAY_EXAMPLES_DIR) return path.resolve(cwd, env.BPFPLAY_EXAMPLES_DIR);
  let dir = cwd;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'bpf')) && existsSync(path.join(dir, 'apps'))) return path.join(dir, 'bpf');
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve(cwd, '../../bpf');
}

const CATEGORY_ORDER: readonly string[] = ExampleMeta.shape.category.options;

/** Read every example. A folder with a bad meta.json is still listed, with the problem named. */
export async function readExamples(dir: string): Promise<{ examples: Example[]; error: string | null }> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && isExampleFolder(d.name))
      .map((d) => d.name);
  } catch (e) {
    // The folder's path is the server's business: the log has it, the answer (sent to anyone) does not.
    console.error(`examples: cannot read ${dir}: ${(e as Error).message}`);
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return {
      examples: [],
      error: `the server cannot read its examples folder (${code}); its operator should set BPFPLAY_EXAMPLES_DIR`,
    };
  }
  const examples = await Promise.all(names.map((n) => readExample(dir, n)));
  const present = examples.filter((e): e is Example => e !== null);
  present.sort((a, b) => rank(a) - rank(b) || a.meta.title.localeCompare(b.meta.title));
  return { examples: present, error: null };
}

function rank(e: Example): number {
  const i = CATEGORY_ORDER.indexOf(e.meta.category);
  return i < 0 ? CATEGORY_ORDER.length : i;
}

async function readExample(dir: string, name: string): Promise<Example | null> {
  const folder = path.join(dir, name);
  const entries = (await readdir(folder)).filter((f) => SOURCE_FILE.test(f)).sort(mainFirst(name));
  if (entries.length === 0) return null;
  const files: Example['files'] = [];
  for (const f of entries) {
    const content = await readFile(path.join(folder, f), 'utf8');
    if (content.length <= MAX_EXAMPLE_FILE_BYTES) files.push({ name: f, content });
  }
  let problem: string | null = null;
  let meta: ExampleMeta;
  try {
    const raw: unknown = JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8'));
    const r = ExampleMeta.safeParse(raw);
    if (r.success) meta = r.data;
    else {
      problem = `bpf/${name}/meta.json: ${describeIssues(r.error as z.ZodError)}`;
      meta = fallbackMeta(name);
    }
  } catch (e) {
    problem = `bpf/${name}/meta.json: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message}`;
    meta = fallbackMeta(name);
  }
  const main =
    files.find((f) => f.name === `${name}.bpf.c`)?.name ?? files.find((f) => f.name.endsWith('.bpf.c'))?.name;
  return { name, meta, files, ...(main !== undefined ? { main } : {}), problem };
}

function mainFirst(name: string) {
  return (a: string, b: string) =>
    Number(b === `${name}.bpf.c`) - Number(a === `${name}.bpf.c`) ||
    Number(a.endsWith('.h')) - Number(b.endsWith('.h')) ||
    a.localeCompare(b);
}

function fallbackMeta(name: string): ExampleMeta {
  const broken = name.startsWith('broken-');
  return { title: name, description: '', kinds: [], category: broken ? 'broken' : 'basics', expect: {} };
}
