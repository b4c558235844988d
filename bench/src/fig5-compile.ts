import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../apps/agent/test/harness/agent-process.js';
import { createCompiler } from '../../apps/agent/src/compile/index.js';
import { CLANG } from '../../apps/agent/src/compile/toolchain.js';
import { bareToolchain } from './bare-clang.js';
import { median, ms, ratio, spread } from './stats.js';
import type { Table } from './table.js';

/**
 * Figure 5: the three ways a compile goes, side by side, for the gallery's hello-world, through the
 * agent's compiler (sandboxed clang, as a run does): cold (no object cache, no PCH), with the
 * precompiled header (a new source), and an object-cache hit (the same source again). The same
 * clang commands without the sandbox are the reference for what the sandbox costs.
 */
const HELLO = readFileSync(join(REPO, 'bpf/hello/hello.bpf.c'), 'utf8');

export async function compileFigure(o: { runs: number }): Promise<Table> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'bpfplay-bench-compile-'));
  try {
    const t0 = performance.now();
    const compiler = await createCompiler({ cacheDir, warn: (m) => console.warn(`[compile] ${m}`) });
    const startup = performance.now() - t0;
    // Same cache folder (so the same PCH), but no clang kept waiting: every compile starts its own.
    const fresh = await createCompiler({ cacheDir, warm: false, warn: (m) => console.warn(`[compile] ${m}`) });
    // Wait for the PCH that createCompiler started building (a first compile needs it).
    const t1 = performance.now();
    await compiler.compile({ files: [{ name: 'hello.bpf.c', content: `// warm-up\n${HELLO}` }] });
    const firstWithPch = performance.now() - t1;
    const cold: number[] = [];
    const pch: number[] = [];
    const warm: number[] = [];
    const hit: number[] = [];
    const bareCold: number[] = [];
    const barePch: number[] = [];
    const bare = bareClang(compiler.info.vmlinuxHeader);
    try {
      for (let i = 0; i < o.runs; i++) {
        const tag = `${Date.now()}-${i}`;
        // A declaration before #include "vmlinux.h" means the PCH does not apply: the full parse.
        const c = await fresh.compile({
          files: [{ name: 'hello.bpf.c', content: `typedef int bench_cold_${i}_t;\n${HELLO}` }],
        });
        if (c.cache !== 'cold') throw new Error(`expected a cold compile, got ${c.cache}`);
        cold.push(c.durationMs);
        const p = await fresh.compile({ files: [{ name: 'hello.bpf.c', content: `// bench fresh ${tag}\n${HELLO}` }] });
        if (p.cache !== 'pch' || p.warm)
          throw new Error(`expected a PCH compile by a fresh clang, got ${p.cache}${p.warm ? ' (warm)' : ''}`);
        pch.push(p.durationMs);
        // Time for the agent to start its next waiting clang, as between two presses of Run.
        await new Promise((r) => setTimeout(r, 1000));
        const source = `// bench ${tag}\n${HELLO}`;
        const w = await compiler.compile({ files: [{ name: 'hello.bpf.c', content: source }] });
        if (w.cache !== 'pch' || !w.warm)
          throw new Error(`expected a PCH compile by the waiting clang, got ${w.cache}${w.warm ? '' : ' (fresh)'}`);
        warm.push(w.durationMs);
        const h = await compiler.compile({ files: [{ name: 'hello.bpf.c', content: source }] });
        if (h.cache !== 'hit') throw new Error(`expected a cache hit, got ${h.cache}`);
        hit.push(h.durationMs);
        bareCold.push(bare.compile(`typedef int bare_${i}_t;\n${HELLO}`, false));
        barePch.push(bare.compile(`// bare ${tag}\n${HELLO}`, true));
        process.stderr.write('.');
      }
    } finally {
      process.stderr.write('\n');
      bare.close();
      await compiler.close();
      await fresh.close();
    }
    const c = median(cold);
    return {
      title: 'Figure 5 — compile: cold vs precompiled header vs object-cache hit (hello-world)',
      head: ['compile', 'agent (sandboxed)', 'vs cold', 'bare clang (no sandbox)', 'sandbox overhead'],
      rows: [
        ['cold (no cache, no PCH)', spread(cold, ms), '1.00×', spread(bareCold, ms), ms(c - median(bareCold))],
        [
          'PCH (new source), clang started for it',
          spread(pch, ms),
          ratio(median(pch), c),
          spread(barePch, ms),
          ms(median(pch) - median(barePch)),
        ],
        ['PCH (new source), clang already waiting', spread(warm, ms), ratio(median(warm), c), '', ''],
        ['cache hit (same source)', spread(hit, ms), ratio(median(hit), c), '', ''],
      ],
      notes: [
        `${compiler.info.clangVersion}; createCompiler (vmlinux.h from this kernel's BTF, sandbox check) ${ms(startup)}; first compile, waiting for the PCH it started building, ${ms(firstWithPch)}`,
        'agent times are CompileResult.durationMs (clang in bwrap as uid 65534 with rlimits; hit = cache lookup and read)',
        'clang already waiting: the agent keeps one sandboxed clang started ahead of time, blocked reading its source from stdin (compile/clang.ts ClangPool); the time counts from handing it the source',
      ],
    };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** The agent's clang command lines without bwrap/setpriv/prlimit, on the same headers. */
function bareClang(vmlinuxPath: string): { compile(source: string, withPch: boolean): number; close(): void } {
  const work = mkdtempSync(join(tmpdir(), 'bpfplay-bench-bare-'));
  const { flags, pch } = bareToolchain(work, vmlinuxPath);
  return {
    compile(source, withPch) {
      const src = join(work, 'hello.bpf.c');
      writeFileSync(src, source);
      const t = performance.now();
      execFileSync(CLANG, [
        ...flags,
        ...(withPch ? ['-include-pch', pch] : []),
        '-c',
        src,
        '-o',
        join(work, 'hello.o'),
      ]);
      return performance.now() - t;
    },
    close: () => rmSync(work, { recursive: true, force: true }),
  };
}
