'use client';

import { useEffect, useRef } from 'react';
import type { RunView } from '../state/run';
import { runProblem } from '../state/markers';
import type { Streams } from '../state/streams';
import type { PaneId } from '../components/OutputPanel';

/**
 * After Run, show the pane where the news is — once per run, and never after the user picked a
 * pane themselves: compile errors, refusals and runs that failed to start → Problems (a run that named its targets →
 * Kernels, where each target's outcome is), a verifier rejection → Verifier, the
 * iterator's text → Iterator, the first decoded record → Events, else the first printk line → Console.
 */
export function useAutoPane(run: RunView | null, streams: Streams, setPane: (p: PaneId) => void) {
  const userPicked = useRef(false);
  const decided = useRef<string | null>(null);
  const runId = run?.runId ?? null;
  let want: PaneId | null = null;
  if (run) {
    if (run.compiled && !run.compiled.ok) want = 'problems';
    // A run on several kernels: its news is per kernel, side by side (refusals and failures too).
    else if (run.targets.length > 0) want = 'kernels';
    else if (run.refused && run.refused.violations.length > 0) want = 'problems';
    // Refused by the agent, or nothing could attach: the reason and its line are in Problems.
    else if (runProblem(run) !== null) want = 'problems';
    else if (run.verifier.some((v) => !v.ok)) want = 'verifier';
    else if (Object.keys(run.iter).length > 0) want = 'iter';
    else if (streams.eventsReceived > 0 || streams.sources.size > 0) want = 'events';
    else if (streams.printk.total > 0) want = 'console';
    else if (run.state === 'stopped' && run.mode === 'compile') want = 'disasm';
  }
  useEffect(() => {
    if (!runId || want === null || userPicked.current || decided.current === runId) return;
    decided.current = runId;
    setPane(want);
  }, [runId, want, setPane]);
  return userPicked;
}
