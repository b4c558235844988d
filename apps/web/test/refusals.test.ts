import { describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { failureOf, isActive, newRun, runReducer, type RunFrame } from '../src/state/run';
import { markersOf, runProblem } from '../src/state/markers';
import { statusChips } from '../src/state/statusLine';

const R = 'r1';
const fold = (msgs: RunFrame[]) => msgs.reduce((run, m) => runReducer(run, m, 1000), newRun(R, 0, 60, 'run'));
const at = (line: number) => ({ file: 'probe.bpf.c', line, col: 1 });

/**
 * Item 1 of the learner's page: every refusal ends the run in the UI and says why, where people
 * look (the status line, the Problems pane, the editor line).
 */
describe('a run the agent refuses or cannot attach', () => {
  it('"busy" before anything started ends the run: Run comes back, the status line says why', () => {
    const busy: ServerMessageOf<'error'> = {
      type: 'error',
      seq: 4,
      runId: R,
      code: 'busy',
      message: 'the agent is running 64 runs already; try again shortly',
    };
    const run = fold([busy]);
    expect(isActive(run)).toBe(false);
    expect(run.stopped?.reason).toBe('quota');
    expect(failureOf(run)).toBe('the agent said busy: the agent is running 64 runs already; try again shortly');
    expect(statusChips(run, 2000).map((c) => c.label)).toEqual([
      'stopped: quota — the agent said busy: the agent is running 64 runs already; try again shortly',
    ]);
    expect(runProblem(run)).toMatch(/^stopped: quota — the agent refused the run \(busy\)/);
  });

  it('an error during a run that is under way does not end it by itself (the agent sends `stopped`)', () => {
    const running = fold([{ type: 'status', seq: 1, runId: R, state: 'compiling', t: 1 }]);
    const after = runReducer(running, { type: 'error', seq: 2, runId: R, code: 'internal', message: 'x' }, 1000);
    expect(isActive(after)).toBe(true);
  });

  it('a kprobe this kernel cannot attach: an error on its SEC line when nothing else ran', () => {
    const run = fold([
      { type: 'status', seq: 1, runId: R, state: 'compiled', t: 1 },
      {
        type: 'warning',
        seq: 2,
        runId: R,
        program: 'on_open',
        message: 'kprobe is not supported on this kernel: CONFIG_KPROBES is off',
        location: at(4),
      },
      {
        type: 'stopped',
        seq: 3,
        runId: R,
        reason: 'attach-error',
        message: 'nothing this kernel can run',
        durationMs: 5,
        stats: { events: 0, printk: 0, dropped: 0 },
      },
    ]);
    const { onFiles } = markersOf(run, ['probe.bpf.c'], 'probe.bpf.c');
    expect(onFiles).toEqual([
      {
        file: 'probe.bpf.c',
        line: 4,
        col: 1,
        severity: 'error',
        source: 'loader',
        message: 'on_open switched off: kprobe is not supported on this kernel: CONFIG_KPROBES is off',
      },
    ]);
    expect(runProblem(run)).toBe('stopped: attach-error — nothing this kernel can run');
  });

  it('a program that loaded but could not attach is marked at its SEC line', () => {
    const run = fold([
      {
        type: 'attached',
        seq: 1,
        runId: R,
        durationMs: 3,
        links: [
          { program: 'ok_prog', kind: 'tracepoint', target: 'syscalls/sys_enter_openat', ok: true, location: at(4) },
          {
            program: 'bad_prog',
            kind: 'tracepoint',
            target: 'syscalls/sys_enter_nope',
            ok: false,
            message: 'No such file or directory',
            location: at(12),
          },
        ],
      },
    ]);
    const { onFiles } = markersOf(run, ['probe.bpf.c'], 'probe.bpf.c');
    expect(onFiles).toEqual([
      expect.objectContaining({
        line: 12,
        severity: 'error',
        source: 'attach',
        message: 'bad_prog could not attach to syscalls/sys_enter_nope: No such file or directory',
      }),
    ]);
  });
});
