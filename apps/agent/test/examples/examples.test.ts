/**
 * The gallery's promise: every folder in bpf/ is an example that runs through the CLI on this
 * kernel and produces the output its meta.json says proves it works (or, for the broken ones,
 * fails where and why it says). Folders are discovered, never listed here, so a new example is
 * tested by being added. One agent process serves every run, as it would serve a workshop.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIssues, ExampleMeta, isExampleFolder, type ServerMessage } from '@bpfplay/protocol';
import { Transcript } from '../../src/cli/format.js';
import { REPO, startAgentProcess, type AgentProcess } from '../harness/agent-process.js';
import { ofType, runCli } from '../harness/cli.js';
import { requireKernel } from '../harness/kernel.js';
import { checkExpect, loadedKinds, programNames } from './expect.js';
import { programsLeftByAgent } from './leftovers.js';

const BPF = join(REPO, 'bpf');
const DEFAULT_DURATION_SEC = 3;

const examples = readdirSync(BPF, { withFileTypes: true })
  .filter((d) => d.isDirectory() && isExampleFolder(d.name))
  .map((d) => d.name)
  .sort();

function readMeta(name: string): ExampleMeta {
  const path = join(BPF, name, 'meta.json');
  if (!existsSync(path))
    throw new Error(`bpf/${name} has no meta.json: the gallery cannot show it and nothing proves it works`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`bpf/${name}/meta.json is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const r = ExampleMeta.safeParse(raw);
  if (!r.success) throw new Error(`bpf/${name}/meta.json does not match ExampleMeta: ${describeIssues(r.error)}`);
  return r.data;
}

/** The snippet: the example's C sources and headers (meta.json is for the gallery, not clang). */
function sourceFiles(name: string): string[] {
  const main = `${name}.bpf.c`;
  const files = readdirSync(join(BPF, name)).filter((f) => /\.(c|h)$/.test(f));
  if (!files.includes(main))
    throw new Error(`bpf/${name} has no ${main}: an example's main file is named after its folder`);
  return files.map((f) => join(BPF, name, f));
}

function cliArgs(meta: ExampleMeta): string[] {
  return [
    '--duration',
    String(meta.duration ?? DEFAULT_DURATION_SEC),
    ...Object.entries(meta.params ?? {}).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
    ...(meta.trigger ? ['--trigger', meta.trigger] : []),
    ...(meta.kernel ? ['--kernel', meta.kernel] : []),
  ];
}

/** The run as the CLI prints it to a person, for failure messages. */
function transcript(messages: ServerMessage[], stderr: string): string {
  const t = new Transcript();
  const lines = messages
    .filter((m) => m.type !== 'hello')
    .map((m) => t.format(m))
    .filter((l): l is string => l !== undefined)
    .flatMap((l) => l.split('\n'));
  const tail = lines.length > 30 ? ['…', ...lines.slice(-30)] : lines;
  return [...tail, ...(stderr.trim() ? ['stderr:', stderr.trim().slice(-1500)] : [])].map((l) => `  | ${l}`).join('\n');
}

describe('gallery examples in bpf/', () => {
  let agent: AgentProcess;
  const timings: string[] = [];

  beforeAll(async () => {
    requireKernel();
    agent = await startAgentProcess();
  });

  afterAll(async () => {
    await agent?.stop();
    if (timings.length) console.log(`gallery runs:\n${timings.join('\n')}`);
  });

  it('has examples to test', () => {
    expect(examples.length, `no folders in ${BPF}`).toBeGreaterThan(0);
  });

  for (const name of examples) {
    it(`${name}: runs and shows what its meta.json promises`, async () => {
      const meta = readMeta(name);
      const files = sourceFiles(name);
      const t0 = performance.now();
      const run = await runCli(files, cliArgs(meta), agent);
      timings.push(`  ${name.padEnd(28)} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const { messages } = run;
      const problems = checkExpect(meta.expect, `${name}.bpf.c`, messages);

      if (meta.expect.fails && run.code === 0) problems.push('the CLI exited 0 although the run is expected to fail');
      if (!meta.expect.fails && run.code !== 0) problems.push(`the CLI exited ${run.code}`);
      const kinds = loadedKinds(messages);
      if (kinds.length && !meta.expect.fails) {
        const declared = [...new Set(meta.kinds)].sort();
        if (declared.join() !== kinds.join())
          problems.push(
            `meta.json kinds ${JSON.stringify(declared)} differ from the loaded programs' ${JSON.stringify(kinds)}`,
          );
      }
      // Our own sections (BPFPLAY_KEEP_TYPE's) must not make libbpf talk on every load.
      for (const l of ofType(messages, 'log'))
        for (const line of l.text.split('\n'))
          if (l.source === 'libbpf' && /unrecognized data section/.test(line)) problems.push(`libbpf said: ${line}`);
      const left = await programsLeftByAgent(programNames(messages), agent.child.pid!);
      if (left.length) problems.push(`after the run the agent still holds programs in the kernel: ${left.join(', ')}`);

      expect(
        problems,
        `bpf/${name} did not do what its meta.json promises:\n- ${problems.join('\n- ')}\nthe user saw:\n${transcript(messages, run.stderr)}`,
      ).toEqual([]);
    });
  }
});
