import { describe, expect, it } from 'vitest';
import { newRun, runReducer, type RunFrame } from '../src/state/run';
import { markersOf } from '../src/state/markers';
import { annotateDisasm, rowsForLine } from '../src/state/disasm';

const files = ['hello.bpf.c', 'hello.h'];
/** A new run after one frame. */
const runAfter = (frame: RunFrame) => runReducer(newRun('r', 0, 10, 'run'), frame, 0);

describe('editor markers from a run', () => {
  it('puts clang diagnostics on their file and line; headers outside the snippet are listed apart', () => {
    const run = runAfter({
      type: 'compiled',
      seq: 1,
      runId: 'r',
      ok: false,
      durationMs: 1,
      cache: 'cold',
      output: '',
      diagnostics: [
        { file: '/tmp/src/hello.bpf.c', line: 12, col: 5, severity: 'error', message: 'boom' },
        { file: 'hello.h', line: 3, col: 1, severity: 'warning', message: 'unused', option: '-Wunused' },
        { file: '/usr/include/bpf/bpf_helpers.h', line: 9, col: 1, severity: 'note', message: 'declared here' },
      ],
    });
    const { onFiles, elsewhere } = markersOf(run, files, 'hello.bpf.c');
    expect(onFiles).toEqual([
      { file: 'hello.bpf.c', line: 12, col: 5, severity: 'error', message: 'boom', source: 'clang' },
      { file: 'hello.h', line: 3, col: 1, severity: 'warning', message: 'unused [-Wunused]', source: 'clang' },
    ]);
    expect(elsewhere).toHaveLength(1);
    expect(elsewhere[0]).toMatchObject({ file: '/usr/include/bpf/bpf_helpers.h', severity: 'info' });
  });

  it('turns a verifier failure into an error on its line with reason, kernel message and hint', () => {
    const run = runAfter({
      type: 'verifier',
      seq: 1,
      runId: 'r',
      program: 'handle',
      ok: false,
      log: '',
      truncated: false,
      failure: {
        reason: 'pointer may be NULL',
        message: 'R0 invalid mem access',
        insn: 7,
        insnText: 'r1 = *(u32 *)(r0 +0)',
        location: { file: 'hello.bpf.c', line: 20, col: 9 },
        hint: 'check it against NULL',
      },
    });
    const [m] = markersOf(run, files, 'hello.bpf.c').onFiles;
    expect(m).toMatchObject({ file: 'hello.bpf.c', line: 20, col: 9, source: 'verifier' });
    expect(m!.message).toBe(
      'verifier rejected handle: pointer may be NULL\nkernel said: R0 invalid mem access\nat instruction 7: r1 = *(u32 *)(r0 +0)\nhint: check it against NULL',
    );
  });

  it('puts a policy refusal on the line of the helper call', () => {
    const run = runAfter({
      type: 'refused',
      seq: 1,
      runId: 'r',
      violations: [
        {
          rule: 'helper-denied',
          message: 'bpf_send_signal changes the system',
          helper: 'bpf_send_signal',
          location: { file: 'hello.bpf.c', line: 8 },
        },
      ],
    });
    expect(markersOf(run, files, 'hello.bpf.c').onFiles).toEqual([
      {
        file: 'hello.bpf.c',
        line: 8,
        col: 1,
        severity: 'error',
        message: 'refused (helper-denied): bpf_send_signal changes the system',
        source: 'policy',
      },
    ]);
  });
});

describe('disassembly ↔ source', () => {
  const rows = annotateDisasm(
    [
      { kind: 'label', text: 'handle_exec:' },
      { kind: 'source', text: '; pid = bpf_get_current_pid_tgid();', location: { file: '/src/hello.bpf.c', line: 10 } },
      { kind: 'insn', text: 'call 14', insn: 0 },
      { kind: 'insn', text: 'r6 = r0', insn: 1 },
      { kind: 'source', text: '; return 0;', location: { file: 'hello.bpf.c', line: 12 } },
      { kind: 'insn', text: 'r0 = 0', insn: 2 },
      { kind: 'insn', text: 'exit', insn: 3, location: { file: 'hello.h', line: 2 } },
    ],
    files,
    'hello.bpf.c',
  );
  it('instructions belong to the source line printed above them', () => {
    expect(rows.map((r) => r.at && `${r.at.file}:${r.at.line}`)).toEqual([
      null,
      'hello.bpf.c:10',
      'hello.bpf.c:10',
      'hello.bpf.c:10',
      'hello.bpf.c:12',
      'hello.bpf.c:12',
      'hello.h:2',
    ]);
  });
  it('finds the rows of an editor line', () => {
    expect(rowsForLine(rows, 'hello.bpf.c', 10)).toEqual([1, 2, 3]);
    expect(rowsForLine(rows, 'hello.bpf.c', 11)).toEqual([]);
  });
});
