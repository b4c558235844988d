import { endedWell, type SourceLocation } from '@bpfplay/protocol';
import type { RunView } from './run';

export type MarkerSeverity = 'error' | 'warning' | 'info';

/** A problem to show on a line of the editor and in the Problems list. */
export interface EditorMarker {
  file: string;
  line: number;
  col: number;
  severity: MarkerSeverity;
  message: string;
  /** `loader`: a program the playground switched off; `attach`: a program that could not attach. */
  source: 'clang' | 'verifier' | 'policy' | 'loader' | 'attach';
  /** The file changed since the run: the line may no longer be this problem's (run/staleFiles). */
  stale?: boolean;
}

/** The markers of files edited since the run, flagged stale (drawn faded, listed as "changed since"). */
export function markStale(markers: EditorMarker[], stale: ReadonlySet<string>): EditorMarker[] {
  if (stale.size === 0) return markers;
  return markers.map((m) => (stale.has(m.file) ? { ...m, stale: true } : m));
}

/** Compilers report paths (`/src/hello.bpf.c`, `./hello.h`); the editor knows flat file names. */
export function snippetFileOf(reported: string, files: readonly string[], mainFile: string): string | null {
  if (reported === '') return mainFile;
  const base = reported.split('/').pop() ?? reported;
  return files.includes(base) ? base : null;
}

/**
 * Every problem of a run as markers. `onFiles` land on a file of the snippet; `elsewhere` point
 * into files the user cannot edit (vmlinux.h, bpf_helpers.h) and are listed, not drawn.
 */
export function markersOf(
  run: RunView,
  files: readonly string[],
  mainFile: string,
): { onFiles: EditorMarker[]; elsewhere: EditorMarker[] } {
  const onFiles: EditorMarker[] = [];
  const elsewhere: EditorMarker[] = [];
  const add = (loc: SourceLocation | undefined, m: Omit<EditorMarker, 'file' | 'line' | 'col'>) => {
    const file = loc ? snippetFileOf(loc.file, files, mainFile) : mainFile;
    const marker: EditorMarker = {
      ...m,
      file: file ?? loc?.file ?? mainFile,
      line: Math.max(1, loc?.line ?? 1),
      col: Math.max(1, loc?.col ?? 1),
    };
    (file === null ? elsewhere : onFiles).push(marker);
  };
  for (const d of run.compiled?.diagnostics ?? []) {
    const severity: MarkerSeverity =
      d.severity === 'error' || d.severity === 'fatal' ? 'error' : d.severity === 'warning' ? 'warning' : 'info';
    add(
      { file: d.file, line: d.line, col: d.col },
      { severity, message: d.option ? `${d.message} [${d.option}]` : d.message, source: 'clang' },
    );
  }
  for (const v of run.refused?.violations ?? []) {
    add(v.location, { severity: 'error', message: `refused (${v.rule}): ${v.message}`, source: 'policy' });
  }
  for (const v of run.verifier) {
    if (v.ok || !v.failure) continue;
    const f = v.failure;
    const lines = [`verifier rejected ${v.program}: ${f.reason}`, `kernel said: ${f.message}`];
    if (f.insn !== undefined) lines.push(`at instruction ${f.insn}${f.insnText ? `: ${f.insnText}` : ''}`);
    if (f.hint) lines.push(`hint: ${f.hint}`);
    add(f.location, { severity: 'error', message: lines.join('\n'), source: 'verifier' });
  }
  // A program this kernel cannot run (a kprobe where CONFIG_KPROBES is off) is switched off with a
  // warning at its SEC line; when that left nothing to run, it is why the run failed.
  const nothingRan = run.stopped?.reason === 'attach-error' && !run.attached?.links.some((l) => l.ok);
  for (const w of run.warnings) {
    if (!w.location) continue;
    add(w.location, {
      severity: nothingRan ? 'error' : 'warning',
      message: `${w.program ? `${w.program} switched off: ` : ''}${w.message}`,
      source: 'loader',
    });
  }
  for (const l of run.attached?.links ?? []) {
    if (l.ok || !l.location) continue;
    add(l.location, {
      severity: 'error',
      message: `${l.program} could not attach to ${l.target}: ${l.message ?? 'no reason given'}`,
      source: 'attach',
    });
  }
  return { onFiles, elsewhere };
}

/**
 * Why the run failed, when that is not a line of the snippet (the agent was busy, a quota, an
 * attach failure, nothing this kernel can run): the Problems pane's first entry, so it never says
 * "No problems" about a run that failed.
 */
export function runProblem(run: RunView): string | null {
  const s = run.stopped;
  if (!s || endedWell(s.reason)) return null;
  if (s.reason === 'compile-error' || s.reason === 'refused' || s.reason === 'verifier') return null;
  return `stopped: ${s.reason} — ${s.message}`;
}

export function countBySeverity(markers: readonly EditorMarker[], file: string): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const m of markers) {
    if (m.file !== file) continue;
    if (m.severity === 'error') errors++;
    else if (m.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}
