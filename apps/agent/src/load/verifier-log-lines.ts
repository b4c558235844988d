/**
 * The line kinds of a kernel verifier log, and cheap ways to walk one from its end.
 *
 * Logs are read from the tail because that is where everything we need is (the error, the failing
 * instruction, the statistics), because they can be tens of MB (a program that hits the 1M
 * instruction limit writes ~85 MB at log level 1), and because the kernel keeps only the tail when
 * the buffer is too small: the first line may be cut in the middle and the head may be missing.
 */
import type { SourceLocation } from '@bpfplay/protocol';

export interface Line {
  text: string;
  /** Offset of the line's first character in the log. */
  start: number;
}

/** `19: (db) lock *(u64 *)(r0 +0) += r7` — an instruction as the verifier walks it. */
const INSN = /^(\d+): \([0-9a-f]{2}\) (.*)$/;
/** `12: R1=15 R9=16`, `24: safe`, `7:` — the state at an instruction, printed without the insn. */
const STATE = /^(\d+):(?: |$)/;
/** `from 6 to 24: R1=0 ...` — the verifier switched to another branch (level 2, or level 1 after a jump). */
const FROM = /^from (\d+) to (\d+):/;
/** `; <source text> @ file.bpf.c:36` — BTF line info, printed when the source line changes. */
const ANNOTATION = /^; (.*) @ ([^\s@]+):(\d+)$/;

/**
 * Lines that are neither the error nor a place in the program: precision tracking, liveness,
 * the state dumps after "infinite loop detected", and notes printed at the head of every log
 * (e.g. "Global function f() doesn't return scalar", which a `void` program triggers next to its
 * real error, "R0 !read_ok").
 */
const NOISE = [
  /^\s/, // "Live regs before insn:" table rows and other indented dumps
  /^mark_precise: /,
  /^(cur|old) state: /,
  /^\(\d+\) (frame \d+ insn|live stack update)/,
  /^Live regs before insn:/,
  /^func#\d+ @\d+/,
  /^Global function \S+ doesn't return scalar/,
  /^arg#\d+ reference type/,
  /^Validating \S+ func#/,
  /^Func#\d+ \('[^']*'\) is (safe for any args|global and assumed valid)/, // global subprograms, checked alone
  /^(caller|callee|returning from callee):$/,
  /^to caller at \d+:/,
  /^(last_idx|regs=|parent |propagating|frame\d+: )/,
];

export type LineKind =
  | { kind: 'blank' }
  | { kind: 'insn'; insn: number; text: string }
  | { kind: 'state'; insn: number }
  | { kind: 'from'; from: number; to: number }
  | { kind: 'annotation'; sourceText: string; location: SourceLocation }
  | { kind: 'noise' }
  | { kind: 'other' };

export function classify(text: string): LineKind {
  if (text.trim() === '') return { kind: 'blank' };
  let m = INSN.exec(text);
  if (m) return { kind: 'insn', insn: Number(m[1]), text: cleanInsnText(m[2] ?? '') };
  if ((m = STATE.exec(text))) return { kind: 'state', insn: Number(m[1]) };
  if ((m = FROM.exec(text))) return { kind: 'from', from: Number(m[1]), to: Number(m[2]) };
  const a = annotation(text);
  if (a) return { kind: 'annotation', ...a };
  if (NOISE.some((re) => re.test(text))) return { kind: 'noise' };
  return { kind: 'other' };
}

export function annotation(text: string): { sourceText: string; location: SourceLocation } | undefined {
  const m = ANNOTATION.exec(text);
  if (!m) return undefined;
  return { sourceText: (m[1] ?? '').trim(), location: { file: m[2] ?? '', line: Number(m[3]) } };
}

/**
 * The instruction as a reader wants it: without the opcode byte and without the register state the
 * verifier appends (`   ; R0=scalar()`, or at a branch the target's state `goto pc+23 49: R0=...`).
 */
function cleanInsnText(text: string): string {
  let t = text;
  const comment = t.search(/\s+; /);
  if (comment >= 0) t = t.slice(0, comment);
  const jump = /^(.*\bgoto pc[+-]\d+) \d+: /.exec(t);
  if (jump) t = jump[1] ?? t;
  return t.trimEnd();
}

/** Lines from `end` (exclusive) back to the start of the log, last first. */
export function* linesBackward(log: string, end = log.length): Generator<Line> {
  let stop = end;
  for (;;) {
    const nl = stop === 0 ? -1 : log.lastIndexOf('\n', stop - 1);
    yield { text: log.slice(nl + 1, stop).replace(/\r$/, ''), start: nl + 1 };
    if (nl < 0) return;
    stop = nl;
  }
}

/** The line that starts at `start`. */
export function lineAt(log: string, start: number): Line {
  const nl = log.indexOf('\n', start);
  return { text: log.slice(start, nl < 0 ? log.length : nl).replace(/\r$/, ''), start };
}

/** The line before the one starting at `start`, if any. */
export function lineBefore(log: string, start: number): Line | undefined {
  if (start <= 0) return undefined;
  const prev = log.lastIndexOf('\n', start - 2) + 1;
  return { text: log.slice(prev, start - 1).replace(/\r$/, ''), start: prev };
}

/**
 * Start offsets of the lines showing instruction `insn` (`N: (..) ...`), last first, before `end`.
 * Uses the native substring search, so a scan of an 85 MB log is milliseconds, not a line split.
 */
export function* insnLinesBackward(log: string, insn: number, end = log.length): Generator<number> {
  const needle = `\n${insn}: (`;
  let pos = end;
  while (pos > 0) {
    const at = log.lastIndexOf(needle, pos - 1);
    if (at < 0) break;
    yield at + 1;
    pos = at;
  }
  if (pos > 0 && log.startsWith(needle.slice(1))) yield 0;
}
