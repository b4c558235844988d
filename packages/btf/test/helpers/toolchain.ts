/**
 * Real toolchain for the tests: clang-19 and bpftool from the machine, vmlinux.h generated from this
 * kernel's BTF (cached under the OS temp dir by the BTF's sha256). Missing tools fail loudly with the fix.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const VMLINUX = '/sys/kernel/btf/vmlinux';
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

function which(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin'])) {
    const p = join(dir, tool);
    if (existsSync(p)) return p;
  }
  throw new Error(
    `${tool} is not installed; the btf tests need it (Debian: apt-get install ${tool === 'bpftool' ? 'bpftool' : 'clang-19 llvm-19'})`,
  );
}

export function requireKernelBtf(): Uint8Array {
  if (!existsSync(VMLINUX))
    throw new Error(
      `${VMLINUX} is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF, and the btf tests need its BTF`,
    );
  return readFileSync(VMLINUX);
}

export function bpftool(): string {
  return which('bpftool');
}

/** Directory holding vmlinux.h for this kernel, generated once per BTF content. */
export function vmlinuxHeaderDir(): string {
  const sha = createHash('sha256').update(requireKernelBtf()).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `bpfplay-vmlinux-${sha}`);
  const header = join(dir, 'vmlinux.h');
  if (!existsSync(header)) {
    mkdirSync(dir, { recursive: true });
    const text = execFileSync(bpftool(), ['btf', 'dump', 'file', VMLINUX, 'format', 'c'], { maxBuffer: 1 << 30 });
    const tmp = `${header}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, header); // atomic: parallel test files never see half a header
  }
  return dir;
}

export interface Compiled {
  path: string;
  bytes: Uint8Array;
  dir: string;
}

const tempDirs: string[] = [];

/** Removes every directory compileBpf made; test files call it from afterAll. */
export function removeCompiled(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Compiles test/fixtures/<name> (or given source text) for BPF, as the agent does, into a fresh temp dir. */
export function compileBpf(fixture: string, source?: string): Compiled {
  const clang = which('clang-19');
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-btf-test-'));
  tempDirs.push(dir);
  const src = join(dir, basename(fixture));
  writeFileSync(src, source ?? readFileSync(join(FIXTURES, fixture)));
  const out = join(dir, basename(fixture).replace(/\.c$/, '.o'));
  try {
    execFileSync(
      clang,
      [
        '-g',
        '-O2',
        '-target',
        'bpf',
        '-D__TARGET_ARCH_x86',
        `-I${vmlinuxHeaderDir()}`,
        `-I${FIXTURES}`,
        '-c',
        src,
        '-o',
        out,
      ],
      { stdio: 'pipe' },
    );
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`clang-19 failed on ${fixture}:\n${err.stderr?.toString() ?? String(e)}`, { cause: e });
  }
  return { path: out, bytes: readFileSync(out), dir };
}
