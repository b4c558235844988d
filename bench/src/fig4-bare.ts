import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_COMPILE_LIMITS } from '../../apps/agent/src/compile/limits.js';
import { CLANG } from '../../apps/agent/src/compile/toolchain.js';
import { bareToolchain } from './bare-clang.js';

const run = promisify(execFile);

/**
 * Figure 4's reference: the same `n` compiles as plain clang processes (same flags and PCH, no
 * sandbox), as many at a time as the agent's compile queue allows, each timed from the start of the
 * batch — what a perfect agent that only compiled would achieve.
 */
export async function bareRound(n: number, vmlinuxHeader: string, sourceOf: (i: number) => string): Promise<number[]> {
  const work = mkdtempSync(join(tmpdir(), 'bpfplay-bench-conc-'));
  try {
    const { flags, pch } = bareToolchain(work, vmlinuxHeader);
    const srcs = Array.from({ length: n }, (_, i) => {
      const p = join(work, `s${i}.bpf.c`);
      writeFileSync(p, sourceOf(i));
      return p;
    });
    const done: number[] = [];
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        await run(CLANG, [...flags, '-include-pch', pch, '-c', srcs[i]!, '-o', join(work, `s${i}.o`)]);
        done.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: DEFAULT_COMPILE_LIMITS.concurrency }, worker));
    return done;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
