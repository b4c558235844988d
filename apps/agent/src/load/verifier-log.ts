/**
 * parseVerifierLog: from the kernel's verifier log to the statistics of a load and, when the program
 * was refused, the failing instruction, its source line and the reason in plain language.
 *
 * A log ends like this (level 1|4, what the agent asks for after a failure):
 *
 *   ; __sync_fetch_and_add(count, 1); @ broken-null-check.bpf.c:36     <- BTF line info
 *   19: (db) lock *(u64 *)(r0 +0) += r7                                <- the failing instruction
 *   R0 invalid mem access 'map_value_or_null'                          <- the error (1-3 lines)
 *   verification time 103 usec                                         <- statistics (level 4)
 *   stack depth 16
 *   processed 18 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
 *
 * Everything is found by walking back from the end (see verifier-log-lines.ts for why): the head
 * may be missing, and nothing here splits the whole log into lines.
 */
import type { SourceLocation, VerifierFailure, VerifierStats } from '@bpfplay/protocol';
import { annotation, classify, insnLinesBackward, lineAt, lineBefore, linesBackward } from './verifier-log-lines.js';
import { explain } from './verifier-reasons.js';

export interface ParsedVerifierLog {
  /** False when the log holds an error (or the caller said the load failed). */
  ok: boolean;
  stats?: VerifierStats;
  failure?: VerifierFailure;
}

export interface ParseOptions {
  /**
   * What the caller saw from the kernel: `true` if the load failed, `false` if it succeeded. When
   * unset, the log decides: an error line after the last instruction means failure. Passing it makes
   * a failure always carry a `failure` (the fallback quotes the kernel's last line).
   */
  failed?: boolean;
}

/** How far back to look for the error above the statistics; level-2 noise can take many lines. */
const MAX_ERROR_SCAN_LINES = 20_000;
/** How many earlier sightings of the failing instruction to check for a line-info annotation. */
const MAX_INSN_SIGHTINGS = 64;
/**
 * How far up to look for the source line on the failing path. Programs built with -g have one
 * within a few lines; without line info there is none, and a 64 MB log should not be walked for it.
 */
const MAX_PATH_SCAN_LINES = 50_000;
const MAX_PATH_HOPS = 64;

interface Located {
  location?: SourceLocation;
  sourceText?: string;
}

export function parseVerifierLog(rawLog: string, opts: ParseOptions = {}): ParsedVerifierLog {
  const log = trimEnd(rawLog);
  const stats: VerifierStats = {};
  const errors: string[] = [];
  let errorAnnotation: Located | undefined;
  let stop: { kind: 'insn' | 'state' | 'from'; insn: number; start: number; text?: string } | undefined;
  let inStats = true;
  let scanned = 0;

  for (const line of linesBackward(log)) {
    if (inStats) {
      if (line.text.trim() === '') continue;
      if (readStats(line.text, stats)) continue;
      inStats = false;
    }
    if (++scanned > MAX_ERROR_SCAN_LINES) break;
    const k = classify(line.text);
    if (k.kind === 'insn') {
      stop = { kind: 'insn', insn: k.insn, start: line.start, text: k.text };
      break;
    }
    if (k.kind === 'state') {
      stop = { kind: 'state', insn: k.insn, start: line.start };
      break;
    }
    if (k.kind === 'from') {
      stop = { kind: 'from', insn: k.to, start: line.start };
      break;
    }
    // The verifier prints the line info of the instruction it reports right before some errors
    // ("infinite loop detected at insn 23"): that is the most exact location there is.
    if (k.kind === 'annotation') errorAnnotation ??= { location: k.location, sourceText: k.sourceText };
    if (k.kind === 'other') errors.unshift(line.text.trim());
  }

  const hasStats = Object.keys(stats).length > 0;
  const result: ParsedVerifierLog = { ok: true, ...(hasStats ? { stats } : {}) };
  const failed = opts.failed ?? errors.length > 0;
  if (!failed) return result;

  // The instruction the error is about: named in the error itself, or the last one walked.
  const named = errors.map((e) => /^infinite loop detected at insn (\d+)/.exec(e)).find((m) => m !== null);
  const insn: number | undefined = named ? Number(named[1]) : stop?.insn;
  let insnText = stop?.kind === 'insn' && insn === stop.insn ? stop.text : undefined;
  let insnStart = stop?.start;
  if (insn !== undefined && insnText === undefined) {
    const seen = lastSighting(log, insn, stop?.start ?? log.length);
    if (seen) [insnText, insnStart] = [seen.text, seen.start];
  }

  const located: Located =
    errorAnnotation ?? (insn !== undefined ? locateInsn(log, insn, insnStart ?? log.length, insnText === 'exit') : {});
  const explanation = explain(errors.length ? errors : lastWords(log), {
    ...(insnText !== undefined ? { insnText } : {}),
    ...(stats.insnLimit !== undefined ? { insnLimit: stats.insnLimit } : {}),
    describeInsn: (i) => {
      // Only what the log shows: with the head cut off, the instruction may simply not be there.
      const seen = lastSighting(log, i, log.length);
      return seen ? { text: seen.text, ...locateInsn(log, i, seen.start, seen.text === 'exit') } : {};
    },
  });

  const failure: VerifierFailure = {
    ...(insn !== undefined ? { insn } : {}),
    ...(insnText !== undefined ? { insnText } : {}),
    ...(located.location ? { location: located.location } : {}),
    ...(located.sourceText !== undefined ? { sourceText: located.sourceText } : {}),
    reason: explanation.reason,
    message: explanation.message,
    ...(explanation.hint !== undefined ? { hint: explanation.hint } : {}),
  };
  return { ...result, ok: false, failure };
}

/** Statistics lines; returns false for any other line. */
function readStats(text: string, stats: VerifierStats): boolean {
  let m = /^processed (\d+) insns/.exec(text);
  if (m) {
    stats.insnsProcessed = Number(m[1]);
    const num = (re: RegExp) => {
      const v = re.exec(text)?.[1];
      return v === undefined ? undefined : Number(v);
    };
    const fields = {
      insnLimit: num(/\(limit (\d+)\)/),
      totalStates: num(/\btotal_states (\d+)/),
      peakStates: num(/\bpeak_states (\d+)/),
      markRead: num(/\bmark_read (\d+)/),
    };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) stats[k as keyof typeof fields] = v;
    return true;
  }
  if ((m = /^verification time (\d+) usec/.exec(text))) {
    stats.verificationTimeUs = Number(m[1]);
    return true;
  }
  if ((m = /^stack depth (\S+)/.exec(text))) {
    stats.stackDepth = m[1] ?? '';
    return true;
  }
  return false;
}

/** The last line showing instruction `insn` before `end`, with its cleaned text. */
function lastSighting(log: string, insn: number, end: number): { text: string; start: number } | undefined {
  for (const start of insnLinesBackward(log, insn, end)) {
    const k = classify(lineAt(log, start).text);
    if (k.kind === 'insn') return { text: k.text, start };
  }
  return undefined;
}

/**
 * The source line of instruction `insn`, last seen at `start`. The verifier prints
 * `; source @ file:line` right before an instruction whenever the line info changes, so the exact
 * answer is an annotation directly above any sighting of the instruction. Failing that (the line
 * was last printed on a path a level-1 log no longer shows, or was cut off with the head), the
 * annotation in effect on the path the log shows.
 *
 * An `exit` is the exception: clang merges every `return` into one exit whose line is the closing
 * brace, while the errors found there (R0 unset, a reference still held) are about the path that
 * reached it. For an exit the path's last source line comes first.
 */
function locateInsn(log: string, insn: number, start: number, isExit: boolean): Located {
  if (isExit) {
    const onPath = annotationOnPath(log, start);
    if (onPath) return onPath;
  }
  let checked = 0;
  for (const at of insnLinesBackward(log, insn)) {
    if (++checked > MAX_INSN_SIGHTINGS) break;
    const prev = lineBefore(log, at);
    const a = prev && annotation(prev.text);
    if (a) return a;
  }
  return annotationOnPath(log, start) ?? {};
}

/**
 * The last annotation on the path the verifier was walking at `end`: up the log, and across a
 * `from A to B:` line (level 2: the walk resumed a pending branch of instruction A) on to where the
 * walk was at A. Level-1 logs need no hops: the kernel rewinds them to the branch before resuming.
 */
function annotationOnPath(log: string, end: number): Located | undefined {
  let lines = 0;
  let hops = 0;
  let pos = end;
  for (;;) {
    let hop: number | undefined;
    for (const line of linesBackward(log, pos)) {
      if (++lines > MAX_PATH_SCAN_LINES) return undefined;
      // Prefix tests first: this loop may see 50k lines of register state.
      if (line.text.startsWith('; ')) {
        const a = annotation(line.text);
        if (a) return a;
      } else if (line.text.startsWith('from ')) {
        const k = classify(line.text);
        if (k.kind !== 'from') continue;
        hop = lastSighting(log, k.from, line.start)?.start;
        break;
      }
    }
    if (hop === undefined || ++hops > MAX_PATH_HOPS) return undefined;
    // The branch instruction itself may carry the annotation: start the next scan just below it.
    pos = log.indexOf('\n', hop);
    if (pos < 0) pos = log.length;
  }
}

/** The last few non-statistics lines, for logs whose error could not be told from the trace. */
function lastWords(log: string): string[] {
  const out: string[] = [];
  for (const line of linesBackward(log)) {
    const t = line.text.trim();
    if (t === '' || readStats(t, {})) continue;
    out.unshift(t);
    if (out.length === 1) break;
  }
  return out;
}

/** Drop the trailing NULs and whitespace a fixed-size C buffer may leave. */
function trimEnd(log: string): string {
  let end = log.length;
  while (end > 0) {
    const c = log.charCodeAt(end - 1);
    if (c !== 0 && c !== 10 && c !== 13 && c !== 32 && c !== 9) break;
    end--;
  }
  return end === log.length ? log : log.slice(0, end);
}
