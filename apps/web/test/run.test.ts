import { describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { failureOf, newRun, runReducer, type RunFrame } from '../src/state/run';
import { statusChips } from '../src/state/statusLine';

const R = 'r1';
const fold = (msgs: RunFrame[], nows: number[] = []) =>
  msgs.reduce((run, m, i) => runReducer(run, m, nows[i] ?? 1000), newRun(R, 0, 60, 'run'));
const status = (state: ServerMessageOf<'status'>['state'], t: number): RunFrame => ({
  type: 'status',
  seq: 1,
  runId: R,
  state,
  t,
});
const compiled = (ok: boolean): RunFrame => ({
  type: 'compiled',
  seq: 2,
  runId: R,
  ok,
  durationMs: 180,
  cache: 'pch',
  output: '',
  diagnostics: ok
    ? []
    : [
        {
          file: '/src/hello.bpf.c',
          line: 12,
          col: 5,
          severity: 'error',
          message: "use of undeclared identifier 'pid'",
        },
      ],
});
const loaded: RunFrame = {
  type: 'loaded',
  seq: 3,
  runId: R,
  durationMs: 13,
  maps: [],
  programs: [
    { name: 'a', section: 'tp/x', kind: 'tracepoint', insns: 10, loaded: true },
    { name: 'b', section: 'tp/y', kind: 'tracepoint', insns: 10, loaded: true },
    { name: 'c', section: 'kprobe/z', kind: 'kprobe', insns: 10, loaded: false, skipped: 'kprobes unsupported' },
  ],
};
const attached: RunFrame = {
  type: 'attached',
  seq: 4,
  runId: R,
  durationMs: 2,
  links: [
    { program: 'a', kind: 'tracepoint', target: 'x', ok: true },
    { program: 'b', kind: 'tracepoint', target: 'y', ok: true },
  ],
};
const stopped = (reason: ServerMessageOf<'stopped'>['reason']): RunFrame => ({
  type: 'stopped',
  seq: 9,
  runId: R,
  reason,
  message: reason === 'user' ? 'stopped by user' : '',
  durationMs: 12_000,
  stats: { events: 5, printk: 3, dropped: 0 },
});

describe('run status line', () => {
  it('shows each step with its time: compiled → loaded → attached → running n s / 60 s', () => {
    const run = fold(
      [status('compiling', 0), compiled(true), status('loading', 190), loaded, attached, status('running', 210)],
      [0, 0, 0, 0, 0, 5000],
    );
    expect(statusChips(run, 17_400).map((c) => c.label)).toEqual([
      'compiled 0.18 s',
      'loaded 2 programs 13 ms, 1 skipped',
      'attached 2 programs',
      'running 12 s / 60 s',
    ]);
  });

  it('ends with the stop reason and how long it ran', () => {
    const run = fold(
      [status('compiling', 0), compiled(true), loaded, attached, status('running', 210), stopped('user')],
      [0, 0, 0, 0, 1000, 4500],
    );
    const chips = statusChips(run, 9999);
    expect(chips.at(-2)?.label).toBe('ran 3.50 s');
    expect(chips.at(-1)).toEqual({ key: 'stopped', label: 'stopped: user — stopped by user', tone: 'muted' });
  });

  it('a compile error names the file and line in the stop chip', () => {
    const run = fold([status('compiling', 0), compiled(false), stopped('compile-error')]);
    expect(statusChips(run, 0).map((c) => c.label)).toEqual([
      'compile failed: 1 error',
      "stopped: compile-error — compile error at /src/hello.bpf.c:12:5: use of undeclared identifier 'pid'",
    ]);
    expect(failureOf(run)).toMatch(/hello.bpf.c:12:5/);
  });

  it('a verifier rejection shows the program and the plain reason', () => {
    const v: RunFrame = {
      type: 'verifier',
      seq: 5,
      runId: R,
      program: 'handle_exec',
      ok: false,
      log: '...',
      truncated: false,
      failure: {
        reason: 'pointer may be NULL: check it before reading',
        message: 'R1 invalid mem access',
        location: { file: 'x.bpf.c', line: 30 },
      },
    };
    const run = fold([compiled(true), v, stopped('verifier')]);
    expect(statusChips(run, 0).map((c) => c.label)).toEqual([
      'compiled 0.18 s',
      'verifier rejected handle_exec',
      'stopped: verifier — verifier rejected handle_exec at x.bpf.c:30: pointer may be NULL: check it before reading',
    ]);
  });

  it('ignores messages of other runs', () => {
    const run = newRun(R, 0, 60, 'run');
    expect(runReducer(run, { ...stopped('user'), runId: 'other' } as RunFrame, 0)).toBe(run);
  });
});
