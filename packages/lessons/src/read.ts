import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeIssues,
  LessonCheck,
  LessonId,
  type LessonContent,
  type LessonSummary,
  mainFileOf,
  Snippet,
  type SnippetFile,
} from '@bpfplay/protocol';

/** A lesson as read from its folder: everything a page, the CLI and the agent's check need. */
export interface Lesson extends LessonSummary {
  markdown: string;
  starter: SnippetFile[];
  solution: SnippetFile[];
  /** The file clang compiles (the starter's and the solution's `.bpf.c`). */
  main: string;
  check: LessonCheck;
}

/** A lesson folder that cannot be used, and why, in words the lesson's author can act on. */
export class LessonError extends Error {}

/** Lesson ids begin with their place in the track: `01-hello-printk` is lesson 1. */
const ORDERED_ID = /^(\d{2})-[a-z0-9-]+$/;
/** Lesson files are small; anything bigger is a mistake we should not send to 50 browsers. */
const MAX_FILE_BYTES = 64 * 1024;

/** The lesson folders in `dir`, in track order. */
export function lessonIds(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (e) {
    throw new LessonError(`cannot read the lessons folder ${dir}: ${(e as Error).message}`);
  }
  return names.filter((n) => ORDERED_ID.test(n)).sort();
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new LessonError(`${what} is missing`);
  if (statSync(path).size > MAX_FILE_BYTES) throw new LessonError(`${what} is larger than 64 KiB`);
  return readFileSync(path, 'utf8');
}

function readFiles(dir: string, what: string): SnippetFile[] {
  if (!existsSync(dir)) throw new LessonError(`${what}/ is missing`);
  const names = readdirSync(dir)
    .filter((f) => /\.(c|h)$/.test(f))
    .sort((a, b) => Number(a.endsWith('.h')) - Number(b.endsWith('.h')) || a.localeCompare(b));
  if (!names.length) throw new LessonError(`${what}/ has no .c or .h file`);
  const files = names.map((name) => ({ name, content: readText(join(dir, name), `${what}/${name}`) }));
  const r = Snippet.safeParse({ files });
  if (!r.success) throw new LessonError(`${what}/ is not a valid snippet: ${describeIssues(r.error)}`);
  return files;
}

/** The title: the text of lesson.md's first `# ` heading. */
function titleOf(markdown: string, id: string): string {
  const m = /^#\s+(.+?)\s*$/m.exec(markdown);
  if (!m) throw new LessonError(`lesson.md has no "# Title" line`);
  return m[1] ?? id;
}

/** Read and check one lesson; throws LessonError naming the file and the problem. */
export function readLesson(dir: string, id: string): Lesson {
  const valid = LessonId.safeParse(id);
  const ordered = ORDERED_ID.exec(id);
  if (!valid.success || !ordered) throw new LessonError(`"${id}" is not a lesson id (like 01-hello-printk)`);
  const folder = join(dir, id);
  if (!existsSync(folder)) throw new LessonError(`no lesson "${id}" in ${dir}`);
  try {
    const markdown = readText(join(folder, 'lesson.md'), 'lesson.md');
    let raw: unknown;
    try {
      raw = JSON.parse(readText(join(folder, 'check.json'), 'check.json'));
    } catch (e) {
      if (e instanceof LessonError) throw e;
      throw new LessonError(`check.json is not JSON: ${(e as Error).message}`);
    }
    const check = LessonCheck.safeParse(raw);
    if (!check.success) throw new LessonError(`check.json: ${describeIssues(check.error)}`);
    const starter = readFiles(join(folder, 'starter'), 'starter');
    const solution = readFiles(join(folder, 'solution'), 'solution');
    const main = mainFileOf(starter);
    if (!main) throw new LessonError('starter/ needs exactly one .bpf.c file');
    if (mainFileOf(solution) !== main)
      throw new LessonError(`solution/ must have the same main file as starter/ (${main})`);
    return {
      id,
      index: Number(ordered[1]),
      title: titleOf(markdown, id),
      needs: check.data.needs,
      markdown,
      starter,
      solution,
      main,
      check: check.data,
    };
  } catch (e) {
    if (e instanceof LessonError) throw new LessonError(`lesson ${id}: ${e.message}`);
    throw e;
  }
}

/** Every lesson in track order; folders that cannot be read are reported, not fatal. */
export function readLessons(dir: string): { lessons: Lesson[]; problems: string[] } {
  const lessons: Lesson[] = [];
  const problems: string[] = [];
  for (const id of lessonIds(dir)) {
    try {
      lessons.push(readLesson(dir, id));
    } catch (e) {
      if (!(e instanceof LessonError)) throw e;
      problems.push(e.message);
    }
  }
  return { lessons, problems };
}

/** `3`, `03` or `03-maps` → `03-maps`: what people type on a command line. */
export function resolveLessonId(dir: string, query: string): string {
  const ids = lessonIds(dir);
  if (ids.includes(query)) return query;
  if (/^\d+$/.test(query)) {
    const hit = ids.find((id) => Number(id.slice(0, 2)) === Number(query));
    if (hit) return hit;
  }
  const prefixed = ids.filter((id) => id.startsWith(query) || id.slice(3).startsWith(query));
  if (prefixed.length === 1) return prefixed[0]!;
  throw new LessonError(
    `no lesson "${query}"${prefixed.length > 1 ? ` (it could be ${prefixed.join(', ')})` : ''}; lessons: ${ids.join(', ') || 'none'}`,
  );
}

/** What a page may show before solutions are unlocked. */
export function lessonContent(l: Lesson, withSolution: boolean): LessonContent {
  return {
    id: l.id,
    index: l.index,
    title: l.title,
    needs: l.needs,
    markdown: l.markdown,
    starter: l.starter,
    ...(withSolution ? { solution: l.solution } : {}),
  };
}

export function lessonSummary(l: Lesson): LessonSummary {
  return { id: l.id, index: l.index, title: l.title, needs: l.needs };
}
