/**
 * What the real libbpf did with an object's CO-RE relocations: `bpftool -d prog loadall` prints libbpf's
 * debug log, whose "relo #N: patched insn #I (...) imm X -> Y" lines carry the values it computed.
 * Programs are pinned under a fresh /sys/fs/bpf directory that is always removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { bpftool } from './toolchain.js';

export type LibbpfRelo =
  | { program: string; index: number; insn: number; kind: 'patched'; from: number; to: number }
  | { program: string; index: number; insn: number; kind: 'poisoned' };

export function libbpfCoreRelocations(objectPath: string): { relos: LibbpfRelo[]; log: string } {
  if (!existsSync('/sys/fs/bpf'))
    throw new Error(
      'bpffs is not mounted at /sys/fs/bpf; mount it (mount -t bpf bpf /sys/fs/bpf) to compare with libbpf',
    );
  const pinDir = `/sys/fs/bpf/bpfplay-btf-test-${process.pid}-${Date.now()}`;
  mkdirSync(pinDir);
  try {
    const r = spawnSync(bpftool(), ['-d', 'prog', 'loadall', objectPath, pinDir], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const log = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0)
      throw new Error(
        `bpftool prog loadall failed (exit ${r.status}); is this root with BPF allowed?\n${log.split('\n').slice(-30).join('\n')}`,
      );
    return { relos: parse(log), log };
  } finally {
    rmSync(pinDir, { recursive: true, force: true });
  }
}

function parse(log: string): LibbpfRelo[] {
  const out: LibbpfRelo[] = [];
  const patched = /prog '([^']+)': relo #(\d+): patched insn #(\d+) \(([^)]+)\) (?:off|imm|imm64) (-?\d+) -> (-?\d+)/;
  const poisoned = /prog '([^']+)': relo #(\d+): substituting insn #(\d+) w\/ invalid insn/;
  for (const line of log.split('\n')) {
    const p = patched.exec(line);
    if (p)
      out.push({
        program: p[1]!,
        index: Number(p[2]),
        insn: Number(p[3]),
        kind: 'patched',
        from: Number(p[5]),
        to: Number(p[6]),
      });
    const q = poisoned.exec(line);
    if (q) out.push({ program: q[1]!, index: Number(q[2]), insn: Number(q[3]), kind: 'poisoned' });
  }
  return out;
}
