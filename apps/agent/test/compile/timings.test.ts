import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCompiler } from '../../src/compile/index.js';
import { BASE_FLAGS, CLANG, DEFAULT_INCLUDE_DIR, PRELUDE_NAME } from '../../src/compile/toolchain.js';
import { HELLO, snippet, tempDir } from './helpers.js';

/**
 * Figures, printed, never asserted (wall-clock numbers depend on the machine and its load).
 * Reference measured earlier on this host, bare clang: with vmlinux.h ≈ 0.32 s, with a PCH
 * ≈ 0.175 s. The "bare" rows repeat that without the sandbox, so its overhead shows.
 */
const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0).padStart(4)} ms   min ${Math.min(...xs)
    .toFixed(0)
    .padStart(4)} ms`;

describe('compile timings for hello world (printed)', () => {
  it('cold, PCH and cache hit, through the sandbox; bare clang for reference', async () => {
    const { dir, cleanup } = tempDir('bpfplay-timing-');
    try {
      const t0 = performance.now();
      const compiler = await createCompiler({ cacheDir: dir, warn: (m) => console.warn(m) });
      const startup = performance.now() - t0;
      const variant = (i: number, tag: string) => HELLO.replace('hello from execve', `${tag} ${i}`);
      // A declaration before #include "vmlinux.h" makes the PCH inapplicable: the same work, cold.
      const cold: number[] = [];
      const pch: number[] = [];
      const hit: number[] = [];
      const t1 = performance.now();
      await compiler.compile(snippet(variant(0, 'first')));
      const firstWall = performance.now() - t1;
      for (let i = 0; i < RUNS; i++) {
        const c = await compiler.compile(snippet(`typedef int timing_cold_t;\n${variant(i, 'cold')}`));
        expect(c.cache).toBe('cold');
        cold.push(c.durationMs);
        const p = await compiler.compile(snippet(variant(i, 'pch')));
        expect(p.cache).toBe('pch');
        pch.push(p.durationMs);
        const h = await compiler.compile(snippet(variant(i, 'pch')));
        expect(h.cache).toBe('hit');
        hit.push(h.durationMs);
      }

      const bare = bareClang(compiler.info.vmlinuxHeader);
      console.log(
        [
          '',
          `compile timings, hello world, ${RUNS} runs each (clang: ${compiler.info.clangVersion}; load average ${loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')} on ${cpus().length} CPUs)`,
          `  createCompiler (vmlinux.h from BTF, checks) ${startup.toFixed(0)} ms; first compile, waiting for the PCH build started by createCompiler ${firstWall.toFixed(0)} ms`,
          `  sandboxed cold  ${fmt(cold)}`,
          `  sandboxed pch   ${fmt(pch)}`,
          `  cache hit       ${fmt(hit)}`,
          `  bare clang cold ${fmt(bare.cold)}   (reference ≈ 320 ms)`,
          `  bare clang pch  ${fmt(bare.pch)}   (reference ≈ 175 ms)`,
          '',
        ].join('\n'),
      );
    } finally {
      cleanup();
    }
  }, 180_000);
});

/** The same compiles without bwrap/setpriv/prlimit, to see what the sandbox costs. */
function bareClang(vmlinuxPath: string): { cold: number[]; pch: number[] } {
  const work = mkdtempSync(join(tmpdir(), 'bpfplay-bare-'));
  try {
    const flags = BASE_FLAGS.map((f) =>
      f.startsWith('-I/bpfplay/include')
        ? `-I${DEFAULT_INCLUDE_DIR}`
        : f.startsWith('-I/bpfplay/gen')
          ? `-I${dirname(vmlinuxPath)}`
          : f,
    );
    execFileSync(CLANG, [
      ...flags,
      '-x',
      'c-header',
      join(DEFAULT_INCLUDE_DIR, PRELUDE_NAME),
      '-o',
      join(work, 'p.pch'),
    ]);
    const cold: number[] = [];
    const pch: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const src = join(work, `h${i}.bpf.c`);
      writeFileSync(src, HELLO.replace('hello from execve', `bare ${i}`));
      let s = performance.now();
      execFileSync(CLANG, [...flags, '-c', src, '-o', join(work, 'a.o')]);
      cold.push(performance.now() - s);
      s = performance.now();
      execFileSync(CLANG, [...flags, '-include-pch', join(work, 'p.pch'), '-c', src, '-o', join(work, 'b.o')]);
      pch.push(performance.now() - s);
    }
    return { cold, pch };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
