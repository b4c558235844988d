/**
 * The judge of a lesson check, fed frames as the agent sends them: what counts as met, and what a
 * learner reads when it is not. Planted values are filled into every expectation before judging.
 */
import { describe, expect, it } from 'vitest';
import type { Expectation, ServerMessage } from '@bpfplay/protocol';
import { Judge, matches } from '../../src/lesson/judge.js';

const planted = { comm: 'bpabc123', size: 3000, port: 31337 };
const base = { seq: 0, runId: 'r' };
const printk = (...texts: string[]): ServerMessage => ({
  ...base,
  type: 'printk',
  lines: texts.map((text) => ({ t: 1, cpu: 0, text })),
  dropped: 0,
});
const events = (...values: Record<string, unknown>[]): ServerMessage =>
  ({
    ...base,
    type: 'events',
    source: 'events',
    records: values.map((value) => ({ t: 1, value })),
    dropped: 0,
  }) as ServerMessage;
const maps = (name: string, entries: { key: unknown; value: unknown }[]): ServerMessage =>
  ({ ...base, type: 'maps', t: 1, maps: [{ name, type: 'hash', entries, more: 0, render: 'table' }] }) as ServerMessage;

function judge(expect: Expectation[], ...frames: ServerMessage[]): Judge {
  const j = new Judge(expect, planted, 'prog.bpf.c');
  for (const f of frames) j.observe(f);
  return j;
}

describe('printk expectations', () => {
  it('are met by a line naming the planted value, not by a fixed one', () => {
    expect(judge([{ printk: 'exec: {{comm}}' }], printk('exec: bash', 'exec: bpabc123')).allMet()).toBe(true);
    const j = judge([{ printk: 'exec: {{comm}}' }], printk('exec: bpfplay', 'exec: bpfplay', 'exec: ls'));
    expect(j.allMet()).toBe(false);
    expect(j.results()).toEqual([
      {
        text: 'a printk line matching /exec: bpabc123/',
        ok: false,
        detail: 'your program produced 3 printk lines, e.g. "exec: bpfplay"; "exec: ls"',
      },
    ]);
  });
});

describe('event expectations', () => {
  it('need every field in one record, strings exactly', () => {
    const want: Expectation[] = [{ event: { fields: { comm: '{{comm}}', filename: '/tmp/x' } } }];
    expect(judge(want, events({ comm: 'bpabc123', filename: '/tmp/xy' })).allMet()).toBe(false);
    expect(judge(want, events({ comm: 'bpabc1234', filename: '/tmp/x' })).allMet()).toBe(false);
    expect(judge(want, events({ comm: 'bpabc123', filename: '/tmp/x' })).allMet()).toBe(true);
  });
});

describe('map expectations', () => {
  it('find the planted key with a large enough value', () => {
    const want: Expectation[] = [{ map: { name: 'counts', key: '{{comm}}', value: { atLeast: 3 } } }];
    expect(judge(want, maps('counts', [{ key: 'bpabc123', value: 2 }])).allMet()).toBe(false);
    expect(judge(want, maps('counts', [{ key: 'bpabc123', value: '3' }])).allMet()).toBe(true);
    expect(judge(want, maps('counts', [{ key: 'bpabc123', value: 3 }])).allMet()).toBe(true);
  });

  it('reach into values by path, with planted values in the path', () => {
    const slots = Array.from({ length: 32 }, (_, i) => (i === 11 ? 4 : 0));
    const want: Expectation[] = [
      { map: { name: 'hists', key: '{{comm}}', valueFields: { 'slots.{{size|log2}}': { atLeast: 4 } } } },
    ];
    expect(judge(want, maps('hists', [{ key: 'bpabc123', value: { slots } }])).allMet()).toBe(true);
    const j = judge(want, maps('hists', [{ key: 'bpabc123', value: { slots: slots.map((_, i) => (i ? 0 : 4)) } }]));
    expect(j.results()[0]!.detail).toMatch(/^map hists has that key, but its value is \{"slots":\[4,0/);
  });

  it('compare numeric keys as numbers', () => {
    expect(matches(31337, '31337')).toBe(true);
    expect(matches('18446744073709551615', { atLeast: 5 })).toBe(true);
    const want: Expectation[] = [{ map: { name: 'ports', key: '{{port}}', value: { atLeast: 5 } } }];
    expect(judge(want, maps('ports', [{ key: 31337, value: 5 }])).allMet()).toBe(true);
  });

  it('say what the map held instead', () => {
    const want: Expectation[] = [{ map: { name: 'counts', key: '{{comm}}' } }];
    expect(judge(want).results()[0]!.detail).toMatch(/no map named counts/);
    expect(judge(want, maps('counts', [])).results()[0]!.detail).toBe('map counts stayed empty');
    expect(judge(want, maps('counts', [{ key: 'ls', value: 1 }])).results()[0]!.detail).toBe(
      'map counts had 1 entries, none with that key, e.g. "ls" → 1',
    );
  });
});

describe('verifier expectations', () => {
  const refused = (reason: string, line: number): ServerMessage => ({
    ...base,
    type: 'verifier',
    program: 'p',
    ok: false,
    log: '',
    truncated: false,
    failure: { reason, message: 'R0 invalid mem access', location: { file: 'prog.bpf.c', line } },
  });
  const loaded: ServerMessage = {
    ...base,
    type: 'loaded',
    programs: [{ name: 'p', section: 'tp/x', kind: 'tracepoint', insns: 5, loaded: true }],
    maps: [],
    durationMs: 1,
  };

  it('are met by a refusal for the reason asked, and decided once the program loads', () => {
    const want: Expectation[] = [{ verifier: { reason: 'may be NULL' } }];
    expect(judge(want, refused('pointer may be NULL', 9)).allMet()).toBe(true);
    const other = judge(want, refused('stack access out of bounds', 9));
    expect(other.results()[0]!.detail).toBe(
      'the verifier refused it for another reason: stack access out of bounds at prog.bpf.c:9',
    );
    const accepted = judge(want, loaded);
    expect(accepted.decided()).toBe(true);
    expect(accepted.results()[0]!.detail).toBe('the verifier accepted your program');
  });
});

describe('a program that did not run', () => {
  it('is not blamed for output it never had the chance to produce', () => {
    const j = judge([{ printk: '{{comm}}' }]);
    expect(j.results(false)[0]!.detail).toBe('not checked: your program did not run');
  });
});
