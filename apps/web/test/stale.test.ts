import { describe, expect, it } from 'vitest';
import { newRun, staleFiles } from '../src/state/run';
import { markStale, type EditorMarker } from '../src/state/markers';

const sent = [
  { name: 'prog.bpf.c', content: 'int x;\n' },
  { name: 'prog.h', content: '#define N 1\n' },
];
const marker = (file: string): EditorMarker => ({
  file,
  line: 1,
  col: 1,
  severity: 'error',
  message: 'm',
  source: 'clang',
});

describe('markers of a run after the code changed', () => {
  it('the files edited since the run are stale, the others are not', () => {
    const run = newRun('r', 0, 30, 'run', sent);
    expect([...staleFiles(run, sent)]).toEqual([]);
    const edited = [sent[0]!, { name: 'prog.h', content: '\n#define N 1\n' }, { name: 'new.h', content: '' }];
    expect([...staleFiles(run, edited)]).toEqual(['prog.h']);
    expect(staleFiles(null, edited).size).toBe(0);
  });

  it('markers on a stale file are flagged, the rest stay as they were', () => {
    const ms = [marker('prog.bpf.c'), marker('prog.h')];
    expect(markStale(ms, new Set(['prog.h']))).toEqual([ms[0], { ...ms[1], stale: true }]);
    expect(markStale(ms, new Set())).toBe(ms);
  });
});
