import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snippet } from '@bpfplay/protocol';
import { type Compiler, createCompiler } from '../../src/compile/index.js';

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
