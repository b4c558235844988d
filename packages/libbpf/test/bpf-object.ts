import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test-only: compile BPF C with the real clang-19 against this kernel's BTF. Fails loudly with the
 * reason when the toolchain or BTF is missing (CI has both; `npm test` installs them).
 */
export function requireKernelTools(): void {
  const missing: string[] = [];
  if (!existsSync('/sys/kernel/btf/vmlinux')) missing.push('/sys/kernel/btf/vmlinux (kernel without BTF)');
  for (const tool of ['/usr/bin/clang-19', '/usr/sbin/bpftool']) if (!existsSync(tool)) missing.push(tool);
  if (process.getuid?.() !== 0) missing.push('root (loading BPF needs CAP_BPF + CAP_PERFMON)');
  if (missing.length) throw new Error(`cannot run kernel tests: missing ${missing.join(', ')}; run scripts/setup.sh`);
}

function vmlinuxDir(): string {
  const btf = readFileSync('/sys/kernel/btf/vmlinux');
  const dir = join(tmpdir(), `bpfplay-test-vmlinux-${createHash('sha256').update(btf).digest('hex').slice(0, 16)}`);
  if (!existsSync(join(dir, 'vmlinux.h'))) {
    mkdirSync(dir, { recursive: true });
    const header = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], {
      maxBuffer: 64 << 20,
    });
    const tmp = join(dir, `vmlinux.h.${process.pid}`);
    writeFileSync(tmp, header);
    renameSync(tmp, join(dir, 'vmlinux.h'));
  }
  return dir;
}

export function compileBpf(source: string, name = 'prog'): Buffer {
  requireKernelTools();
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-libbpf-test-'));
  const src = join(dir, `${name}.bpf.c`);
  writeFileSync(src, source);
  const out = join(dir, `${name}.bpf.o`);
  execFileSync('clang-19', [
    '-g',
    '-O2',
    '-target',
    'bpf',
    '-D__TARGET_ARCH_x86',
    `-I${vmlinuxDir()}`,
    '-c',
    src,
    '-o',
    out,
  ]);
  return readFileSync(out);
}

/** Ids of loaded BPF programs with this name, as the kernel lists them. */
export function kernelProgramIds(name: string): number[] {
  const list = JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j']).toString()) as {
    id: number;
    name?: string;
  }[];
  return list.filter((p) => p.name === name).map((p) => p.id);
}
