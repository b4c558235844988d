import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../apps/agent/test/harness/agent-process.js';
import { createCompiler, type Compiler } from '../../apps/agent/src/compile/index.js';

export const BENCH = join(REPO, 'bench');
/** Build products (native binaries, objects): not checked in. */
export const OUT = join(BENCH, '.build');

/** The agent CLI and runner bundles, from the current sources (what `npm run bpfplay` does). */
export function buildAgent(): void {
  execFileSync(process.execPath, [join(REPO, 'apps/agent/build.mjs')], { stdio: 'inherit' });
}

/** The bench's C helpers, built here so the reference is compiled on the machine it runs on. */
export function buildNative(): { trigger: string; consumer: string } {
  mkdirSync(OUT, { recursive: true });
  const trigger = join(OUT, 'trigger');
  const consumer = join(OUT, 'ringbuf-consumer');
  const cc = (out: string, src: string, libs: string[]) =>
    execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', out, join(BENCH, 'native', src), ...libs], {
      stdio: 'inherit',
    });
  cc(trigger, 'trigger.c', []);
  cc(consumer, 'ringbuf-consumer.c', ['-lbpf']);
  return { trigger, consumer };
}

let compiler: Promise<Compiler> | undefined;

/** The agent's own compiler (same flags, headers and sandbox), with a cache of the bench's own. */
export function benchCompiler(): Promise<Compiler> {
  compiler ??= createCompiler({ cacheDir: join(OUT, 'compile-cache'), warn: (m) => console.warn(`[compile] ${m}`) });
  return compiler;
}

/** Compile a BPF source as the agent would, and write the object where the native consumer can open it. */
export async function compileObject(name: string, source: string): Promise<{ path: string; sha256: string }> {
  const c = await benchCompiler();
  const r = await c.compile({ files: [{ name, content: source }] });
  if (!r.ok || !r.object) throw new Error(`bench program ${name} does not compile:\n${r.output}`);
  const path = join(OUT, name.replace(/\.c$/, '.o'));
  writeFileSync(path, r.object);
  return { path, sha256: r.objectHash! };
}
