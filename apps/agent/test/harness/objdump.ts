import { execFileSync } from 'node:child_process';

/** A function's instructions as (offset from its entry, text), decoded on the host with llvm-objdump. */
export function instructions(file: string, func: string): { offset: number; text: string }[] {
  const sym = new RegExp(`\\s([0-9a-f]+)\\s+(\\d+)\\s+FUNC\\s+\\w+\\s+\\w+\\s+\\d+\\s+${func}(@\\S*)?$`, 'm').exec(
    execFileSync('readelf', ['-Ws', file], { maxBuffer: 64 << 20 }).toString(),
  );
  if (!sym) throw new Error(`${func} not found in ${file}`);
  const start = parseInt(sym[1]!, 16);
  const text = execFileSync('llvm-objdump-19', [
    '-d',
    '--disassemble-zeroes',
    '--debug-file-directory=/nonexistent',
    '--no-show-raw-insn',
    `--start-address=0x${start.toString(16)}`,
    `--stop-address=0x${(start + Number(sym[2])).toString(16)}`,
    file,
  ]).toString();
  return [...text.matchAll(/^\s*([0-9a-f]+):\s+(.*)$/gm)].map((m) => ({
    offset: parseInt(m[1]!, 16) - start,
    text: m[2]!.trim(),
  }));
}
