import { parseArgs } from 'node:util';
import { LessonError, readLessons, resolveLessonId } from '@bpfplay/lessons';
import { defaultConfig } from '../config.js';
import { AGENT_OPTIONS, agentTarget } from './agent-target.js';
import { runOnAgent } from './run-client.js';
import { fail, readSnippet } from './snippet-files.js';
import { TOKEN_USAGE } from './token-source.js';

export const LESSON_USAGE = `  bpfplay lesson list [--lessons DIR] [--json]
  bpfplay lesson check LESSON FILE... [--agent URL] ${TOKEN_USAGE} [--lessons DIR] [--json] [--verbose]
              (LESSON: its id, e.g. 03-maps, or its number; exit 0 when the check passes, 1 when
               it does not, with the failed expectation in plain words; 2 when no agent answered)`;

/** `bpfplay lesson list|check ...`; returns the exit code. */
export async function lessonCommand(args: string[], usage: string): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return list(rest);
    case 'check':
      return check(rest, usage);
    default:
      return fail(`lesson needs "list" or "check"\n${usage}`);
  }
}

function list(args: string[]): number {
  const { values } = parseArgs({ args, options: { lessons: { type: 'string' }, json: { type: 'boolean' } } });
  const dir = values.lessons ?? defaultConfig().lessonsDir;
  let read: ReturnType<typeof readLessons>;
  try {
    read = readLessons(dir);
  } catch (e) {
    return fail((e as Error).message);
  }
  const { lessons, problems } = read;
  if (values.json) {
    for (const l of lessons)
      process.stdout.write(`${JSON.stringify({ id: l.id, index: l.index, title: l.title, needs: l.needs })}\n`);
  } else {
    const w = Math.max(...lessons.map((l) => l.id.length), 4);
    for (const l of lessons) {
      const needs = [...l.needs.attach, ...l.needs.features].join(', ');
      process.stdout.write(
        `${String(l.index).padStart(2)}  ${l.id.padEnd(w)}  ${l.title}\n${' '.repeat(w + 6)}needs: ${needs}\n`,
      );
    }
  }
  for (const p of problems) process.stderr.write(`bpfplay: ${p}\n`);
  return problems.length ? 1 : 0;
}

async function check(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AGENT_OPTIONS,
      lessons: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const [query, ...files] = positionals;
  if (!query) return fail(`lesson check needs a lesson and the files of your program\n${usage}`);
  const config = defaultConfig({ port: 0, allowedOrigins: [] });
  if (values.lessons) config.lessonsDir = values.lessons;
  let lesson: string;
  try {
    lesson = resolveLessonId(config.lessonsDir, query);
  } catch (e) {
    if (e instanceof LessonError) return fail(e.message);
    throw e;
  }
  const snippet = readSnippet(files, undefined, usage);
  // A private agent reads the same lessons folder as this command (an --agent reads its own).
  const agent = await agentTarget(values, config);
  const outcome = await runOnAgent({
    agentUrl: agent.agentUrl,
    token: agent.token,
    snippet,
    options: {},
    lesson,
    json: values.json ?? false,
    quiet: !values.verbose,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
  await agent.close();
  if (!outcome.verdict && outcome.exitCode < 2) {
    process.stderr.write('bpfplay: the agent ended the check without a verdict\n');
    return 2;
  }
  return outcome.exitCode;
}
