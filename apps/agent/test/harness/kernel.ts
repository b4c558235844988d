import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Integration tests need the real kernel and toolchain; CI has them (scripts/setup.sh installs them).
 * Without them the tests fail here with the reason instead of passing vacuously.
 */
export function requireKernel(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root');
  if (!existsSync('/sys/kernel/btf/vmlinux')) missing.push('kernel BTF (/sys/kernel/btf/vmlinux)');
  for (const t of ['/usr/bin/clang-19', '/usr/sbin/bpftool', '/usr/bin/bwrap']) if (!existsSync(t)) missing.push(t);
  if (!existsSync('/sys/kernel/tracing/events')) missing.push('tracefs at /sys/kernel/tracing');
  if (missing.length)
    throw new Error(`kernel integration tests cannot run: missing ${missing.join(', ')}; run scripts/setup.sh as root`);
}

interface ProgShow {
  id: number;
  name?: string;
  type: string;
  pids?: { pid: number; comm: string }[];
}

export function kernelPrograms(): ProgShow[] {
  return JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { maxBuffer: 64 << 20 }).toString()) as ProgShow[];
}

/** Programs whose name starts with `prefix` (BPF names keep 15 characters). */
export function programsNamed(prefix: string): ProgShow[] {
  const p = prefix.slice(0, 15);
  return kernelPrograms().filter((x) => x.name !== undefined && (x.name.startsWith(p) || p.startsWith(x.name)));
}

/**
 * The kernel frees a program shortly after its last fd closes (RCU), so "none left" is polled for a
 * moment rather than read once.
 */
export async function waitNoPrograms(prefix: string, timeoutMs = 3000): Promise<ProgShow[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = programsNamed(prefix);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A program name unique to this test run (BPF names: 15 chars, [A-Za-z0-9_]). */
export function uniqueName(tag: string): string {
  return `${tag}_${Math.random().toString(36).slice(2, 8)}`.slice(0, 15);
}
