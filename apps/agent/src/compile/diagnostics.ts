import type { Diagnostic, Severity } from '@bpfplay/protocol';
import { displayPath, displayText } from './paths.js';

/**
 * Parses clang's classic diagnostic text (`file:line:col: severity: message [-Wflag]`) into
 * markers. Why the classic form and not `-fdiagnostics-format=sarif`: clang 19 still calls SARIF
 * unstable and prints a warning saying so into every compile.
 *
 * The protocol's Diagnostic has no room for children, so the list is flat and ordered: each
 * error/warning is followed by its notes. Where clang said "In file included from a.c:3:", the
 * chain becomes notes too ("helper.h is included here"), one per step, so a problem inside a
 * header the user cannot see (vmlinux.h, our shim) still has a marker in a file they can.
 */

const LOCATED = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note|remark): (.*)$/;
/** Driver and backend messages without a place: `clang-19: error: ...`, `error: ...`. */
const UNLOCATED = /^(?:[\w.+-]+: )?(fatal error|error|warning|note|remark): (.*)$/;
const INCLUDED_FROM = /^(?:In file included from|\s+from) (.+?):(\d+):$/;
/** The trailing `[-Wfoo]` / `[-Werror,-Wfoo]` / `[-Rpass=...]` clang adds when it names a flag. */
const OPTION = /^(.*) \[(-[WR][^\]]*)\]$/;

export function parseDiagnostics(text: string, maxDiagnostics = Infinity): Diagnostic[] {
  const out: Diagnostic[] = [];
  // clang prints one "In file included from X:" line per level, outermost first, right before
  // the diagnostic they belong to.
  let includeChain: { file: string; line: number }[] = [];
  for (const raw of text.split('\n')) {
    if (out.length >= maxDiagnostics) break;
    const line = raw.replace(/\r$/, '');
    const inc = INCLUDED_FROM.exec(line);
    if (inc) {
      includeChain.push({ file: displayPath(inc[1]!), line: Number(inc[2]) });
      continue;
    }
    const located = LOCATED.exec(line);
    if (located && !isCaretOrSource(line)) {
      const [, file, ln, col, sev, rest] = located;
      out.push(diagnostic(displayPath(file!), Number(ln), col === undefined ? 0 : Number(col), sev!, rest!));
      // Innermost step first: "inner.h is included here" (in outer.h), then "outer.h ..." (in main).
      let header = displayPath(file!);
      for (const step of includeChain.reverse()) {
        out.push({ file: step.file, line: step.line, col: 0, severity: 'note', message: `${header} is included here` });
        header = step.file;
      }
      includeChain = [];
      continue;
    }
    includeChain = [];
    const unlocated = UNLOCATED.exec(line);
    if (unlocated) {
      out.push(diagnostic('', 0, 0, unlocated[1]!, unlocated[2]!));
      continue;
    }
    // Everything else is clang's source excerpt, caret and fix-it lines, or the
    // "N errors generated." summary: kept in `output`, not markers.
  }
  return out.slice(0, maxDiagnostics);
}

function diagnostic(file: string, line: number, col: number, sev: string, rest: string): Diagnostic {
  const opt = OPTION.exec(rest);
  const d: Diagnostic = {
    file,
    line,
    col,
    severity: severityOf(sev),
    message: displayText(opt ? opt[1]! : rest),
  };
  if (opt) d.option = opt[2]!;
  return d;
}

function severityOf(s: string): Severity {
  return s === 'fatal error' ? 'fatal' : (s as Severity);
}

/** Source excerpt lines look like `   12 | code`; a snippet line could itself look like a diagnostic. */
function isCaretOrSource(line: string): boolean {
  return /^\s*\d*\s+\|/.test(line);
}
