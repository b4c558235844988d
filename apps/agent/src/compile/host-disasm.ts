import { statSync } from 'node:fs';
import type { CompileLimits } from './limits.js';
import { runSandboxed } from './sandbox.js';
import { OBJDUMP } from './toolchain.js';

/** Where the probed file appears inside the sandbox (read-only, alone). */
const TARGET = '/target/file';
const INSN = /^\s*([0-9a-f]+):\s+(.*)$/;

export interface HostInstruction {
  address: number;
  /** As llvm-objdump prints it (AT&T syntax): `movl $0x27, %eax`, `syscall`. */
  text: string;
}

/**
 * The instructions in [from, to) of a host binary or library, decoded by llvm-objdump from `from`
 * (a function's entry) — how the uprobe policy tells an instruction boundary from the middle of an
 * instruction, and which instruction a probe would replace. Runs in the compile sandbox like every
 * other tool: the file is the only thing from the host it sees besides /usr.
 */
export async function decodeHostFunction(
  path: string,
  from: number,
  to: number,
  limits: CompileLimits,
): Promise<HostInstruction[]> {
  const exit = await runSandboxed({
    argv: [
      OBJDUMP,
      '-d',
      // Every byte: by default runs of zero bytes print as "..." and their instructions would be missing.
      '--disassemble-zeroes',
      // Measured here: with libc6-dbg installed, llvm-objdump 19 takes libc's bytes from the separate
      // debug file, whose .text holds no code, and decodes nothing. The file itself is what runs.
      '--debug-file-directory=/nonexistent',
      '--no-debuginfod',
      '--no-show-raw-insn',
      `--start-address=0x${from.toString(16)}`,
      `--stop-address=0x${to.toString(16)}`,
      TARGET,
    ],
    mounts: [{ host: path, sandbox: TARGET }],
    limits: { ...limits, outputBytes: Math.max(limits.outputBytes, 4 << 20) },
  });
  if (exit.code !== 0 || exit.truncated)
    throw new Error(
      `llvm-objdump could not decode it (${exit.truncated ? 'output too large' : `exit ${exit.code ?? exit.signal}`}): ${exit.stderr.trim().slice(0, 300)}`,
    );
  const insns: HostInstruction[] = [];
  for (const line of exit.stdout.split('\n')) {
    const m = INSN.exec(line);
    if (m) insns.push({ address: parseInt(m[1]!, 16), text: m[2]!.trim() });
  }
  if (insns[0]?.address !== from) throw new Error(`no instruction decoded at 0x${from.toString(16)}`);
  return insns;
}

/**
 * Decoded functions by (file identity, range): the same few libc functions are probed run after run.
 * Keyed by inode, size and mtime so a replaced file is decoded again; bounded, oldest first out.
 */
export class HostFunctionCache {
  private readonly entries = new Map<string, Promise<HostInstruction[]>>();
  constructor(private readonly max = 256) {}

  get(path: string, from: number, to: number, decode: () => Promise<HostInstruction[]>): Promise<HostInstruction[]> {
    let id: string;
    try {
      const st = statSync(path);
      id = `${path}:${st.ino}:${st.size}:${st.mtimeMs}:${from}:${to}`;
    } catch {
      return decode();
    }
    const hit = this.entries.get(id);
    if (hit) return hit;
    const p = decode();
    this.entries.set(id, p);
    p.catch(() => this.entries.delete(id));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}
