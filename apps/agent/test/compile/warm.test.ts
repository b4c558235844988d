import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILE_TIMEOUT, HELLO, snippet, type TestCompiler, testCompiler } from './helpers.js';
import { until } from '../harness/wait.js';

/**
 * The clang kept waiting for the next compile (ClangPool in compile/clang.ts), on the real
 * toolchain. Its folders are made under TMPDIR, so pointing TMPDIR at a folder of this test's own
 * tells its sandboxes (bwrap's command line names the folders it binds) from anyone else's.
 */
const TMP = mkdtempSync(join(tmpdir(), 'bpfplay-warmtest-'));
const savedTmp = process.env.TMPDIR;

/** Processes whose command line names a folder under TMP (this test's sandboxes), and `also`. */
function ours(also = ''): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1');
      if (cmd.includes(TMP) && cmd.includes(also)) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A clang waiting for its source on stdin (`-x c -`), not the PCH build. */
const waiting = () => ours('\0-x\0c\0-\0').length > 0;

const variant = (n: number) => HELLO.replace('hello from execve', `hello number ${n}`);

describe('a clang started ahead of time', () => {
  let t: TestCompiler;
  beforeAll(async () => {
    process.env.TMPDIR = TMP;
    t = await testCompiler();
  });
  afterAll(async () => {
    await t.cleanup();
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(TMP, { recursive: true, force: true });
  });

  it(
    'is waiting once the PCH is ready, and the first compile of a new source uses it',
    async () => {
      await until('a clang is waiting', waiting);
      const r = await t.compiler.compile(snippet(variant(1)));
      expect(r.ok).toBe(true);
      expect(r.cache).toBe('pch');
      expect(r.warm).toBe(true);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'is there again for the next new source, a moment after the last compile',
    async () => {
      await until('the next clang is waiting', waiting);
      const r = await t.compiler.compile(snippet(variant(2)));
      expect(r.warm).toBe(true);
      expect(r.ok).toBe(true);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'gives the same object bytes as a clang started for the compile',
    async () => {
      const fresh = await testCompiler({ warm: false });
      try {
        const cold = await fresh.compiler.compile(snippet(variant(3)));
        expect(cold.warm).toBe(false);
        await until('a clang is waiting', waiting);
        const warm = await t.compiler.compile(snippet(variant(3)));
        expect(warm.warm).toBe(true);
        expect(warm.objectHash).toBe(cold.objectHash);
      } finally {
        await fresh.cleanup();
      }
    },
    COMPILE_TIMEOUT,
  );

  it(
    "sees the snippet's headers and names the user's file and line in diagnostics",
    async () => {
      await until('a clang is waiting', waiting);
      const main = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "greet.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk(GREETING);
	return missing_variable;
}

char LICENSE[] SEC("license") = "GPL";
`;
      const r = await t.compiler.compile(
        snippet(main, 'prog.bpf.c', [{ name: 'greet.h', content: '#define GREETING "hi"\n' }]),
      );
      expect(r.warm).toBe(true);
      expect(r.ok).toBe(false);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ file: 'prog.bpf.c', line: 9, col: 9 });
      expect(errors[0]!.message).toContain('missing_variable');
    },
    COMPILE_TIMEOUT,
  );

  it(
    'is stopped by close(), its folders removed',
    async () => {
      await until('a clang is waiting', waiting);
      await t.compiler.close();
      await until('no sandbox of this test is left', () => ours().length === 0, 5_000);
      const runRoot = join(TMP, `bpfplay-compile-${process.pid}`);
      await until('its folders are removed', () => readdirSync(runRoot).length === 0, 5_000);
    },
    COMPILE_TIMEOUT,
  );

  it(
    'a new compiler sweeps the folders of agents that are gone, and only those',
    async () => {
      const dead = join(TMP, 'bpfplay-compile-999999999');
      const living = join(TMP, `bpfplay-compile-${process.ppid}`);
      for (const d of [dead, living]) mkdirSync(join(d, 'src-left'), { recursive: true });
      const again = await testCompiler({ warm: false });
      await again.cleanup();
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(join(living, 'src-left'))).toBe(true);
      rmSync(living, { recursive: true, force: true });
    },
    COMPILE_TIMEOUT,
  );
});
