import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Snippet } from '@bpfplay/protocol';
import { type Compiler, createCompiler } from '../../src/compile/index.js';
import { resolveLimits } from '../../src/compile/limits.js';
import { runSandboxed, type SandboxExit } from '../../src/compile/sandbox.js';
import { makeRunDir, removeDir } from '../../src/compile/storage.js';

export const HELLO = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk("hello from execve");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

export const snippet = (
  content: string,
  name = 'prog.bpf.c',
  more: { name: string; content: string }[] = [],
): Snippet => ({
  files: [{ name, content }, ...more],
});

/** A fresh cache folder, removed by the returned cleanup. */
export function tempDir(prefix = 'bpfplay-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A maker of fresh folders for the tests of the enclosing describe; each is removed after its test. */
export function tempDirPerTest(prefix: string): () => string {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  return () => {
    const d = tempDir(prefix);
    cleanups.push(d.cleanup);
    return d.dir;
  };
}

export interface TestCompiler {
  compiler: Compiler;
  warnings: string[];
  cacheDir: string;
  cleanup: () => Promise<void>;
}

/** A compiler on the real toolchain and kernel BTF with its own cache; warnings are collected. */
export async function testCompiler(opts: Partial<Parameters<typeof createCompiler>[0]> = {}): Promise<TestCompiler> {
  const { dir, cleanup } = tempDir();
  const warnings: string[] = [];
  const compiler = await createCompiler({ cacheDir: dir, warn: (m) => warnings.push(m), ...opts });
  return {
    compiler,
    warnings,
    cacheDir: opts.cacheDir ?? dir,
    cleanup: async () => {
      await compiler.close();
      cleanup();
    },
  };
}

/**
 * A test compiler for the enclosing describe (or the file, at top level): made in beforeAll, closed
 * in afterAll. Use the returned object inside tests only.
 */
export function useTestCompiler(opts: Partial<Parameters<typeof createCompiler>[0]> = {}): TestCompiler {
  let current: TestCompiler | undefined;
  beforeAll(async () => {
    current = await testCompiler(opts);
  }, COMPILE_TIMEOUT);
  afterAll(() => current?.cleanup());
  const made = () => {
    if (!current) throw new Error('the test compiler is not made yet: use it inside tests, not at module level');
    return current;
  };
  return {
    get compiler() {
      return made().compiler;
    },
    get warnings() {
      return made().warnings;
    },
    get cacheDir() {
      return made().cacheDir;
    },
    cleanup: () => made().cleanup(),
  };
}

/**
 * Runs `sh -c script` in the compile sandbox with a fresh run folder as its writable /out, then
 * hands `read` the folder and the exit (what the agent would read of it); the folder is removed after.
 */
export async function afterSandboxedScript<T>(
  script: string,
  read: (out: string, exit: SandboxExit) => Promise<T>,
): Promise<T> {
  const out = await makeRunDir('writable');
  try {
    const exit = await runSandboxed({
      argv: ['/usr/bin/sh', '-c', script],
      mounts: [{ host: out, sandbox: '/out', writable: true }],
      limits: resolveLimits({ wallMs: 10_000 }),
    });
    return await read(out, exit);
  } finally {
    await removeDir(out);
  }
}

/** `llvm-objdump-19 -d` of an object, for checks on the instructions clang emitted. */
export function objdump(object: Buffer, ...flags: string[]): string {
  const { dir, cleanup } = tempDir('bpfplay-objdump-');
  try {
    const path = join(dir, 'prog.o');
    writeFileSync(path, object);
    return execFileSync('/usr/bin/llvm-objdump-19', [...(flags.length ? flags : ['-d']), path], { encoding: 'utf8' });
  } finally {
    cleanup();
  }
}

/** `bpftool btf dump file <obj>`: the object's BTF as text. */
export function btfDump(object: Buffer): string {
  const { dir, cleanup } = tempDir('bpfplay-btf-');
  try {
    const path = join(dir, 'prog.o');
    writeFileSync(path, object);
    return execFileSync('/usr/sbin/bpftool', ['btf', 'dump', 'file', path], { encoding: 'utf8' });
  } finally {
    cleanup();
  }
}

/** The first line of a file only root can read: what a sandbox escape would leak. */
export function secretFirstLine(path: string): string {
  const line = execFileSync('/usr/bin/head', ['-n1', path], { encoding: 'utf8' }).trim();
  if (line.length < 4) throw new Error(`${path} has no usable first line for the leak check`);
  return line;
}

export const COMPILE_TIMEOUT = 60_000;
