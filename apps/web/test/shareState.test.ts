import { describe, expect, it } from 'vitest';
import { decodeLocation, encodeFragment } from '@bpfplay/share';
import { DEFAULT_SETTINGS, type Workspace } from '../src/state/workspace';
import { WEB_RUN_DEFAULTS, openShareState, sameCode, shareStateOf } from '../src/share/shareState';

const ws = (over: Partial<Workspace['snippet']> = {}, settings: Partial<Workspace['settings']> = {}): Workspace => ({
  version: 3,
  snippet: {
    files: [
      { name: 'prog.bpf.c', content: '#include "x.h"\nint x;' },
      { name: 'x.h', content: '#define X 1\n' },
    ],
    active: 'x.h',
    params: {},
    ...over,
  },
  settings: { ...DEFAULT_SETTINGS, tokens: { 'ws://127.0.0.1:7100': 'secret' }, theme: 'light', ...settings },
});

describe('what Share stores and a link carries', () => {
  it('is the files alone when the user changed no run option: the defaults are left out', () => {
    expect(shareStateOf(ws())).toEqual({ files: ws().snippet.files });
  });

  it('carries changed options and parameters, never the token, theme or which tab was open', () => {
    const s = shareStateOf(ws({ params: { targ_pid: 42 } }, { durationSec: 60, perfFrequency: 999 }));
    expect(s.options).toEqual({ durationSec: 60, perfFrequency: 999, params: { targ_pid: 42 } });
    expect(JSON.stringify(s)).not.toContain('secret');
    expect(JSON.stringify(s)).not.toContain('light');
  });

  it('sends what the editor has now when it is ahead of the saved copy', () => {
    const s = shareStateOf(ws(), { textOf: (n) => (n === 'x.h' ? '#define X 2\n' : null) });
    expect(s.files.map((f) => f.content)).toEqual(['#include "x.h"\nint x;', '#define X 2\n']);
  });

  it('names main only when the agent could not infer it, and drops CO-RE targets a reader cannot have', () => {
    expect(shareStateOf(ws({ main: 'prog.bpf.c' })).main).toBeUndefined();
    const two = ws({
      files: [
        { name: 'a.bpf.c', content: '' },
        { name: 'b.bpf.c', content: '' },
      ],
      main: 'b.bpf.c',
    });
    expect(shareStateOf(two).main).toBe('b.bpf.c');
    const s = shareStateOf(ws({ coreTargets: ['debian-6.1-cloud', 'my-upload'] }), {
      isShareableTarget: (t) => t === 'debian-6.1-cloud',
    });
    expect(s.options).toEqual({ coreTargets: ['debian-6.1-cloud'] });
  });

  it('makes one link for the same program whether or not the defaults were spelled out', () => {
    const plain = encodeFragment(shareStateOf(ws()), WEB_RUN_DEFAULTS);
    const spelled = encodeFragment(
      { files: ws().snippet.files, options: { durationSec: 30, perfFrequency: 99, mapIntervalMs: 1000, mode: 'run' } },
      WEB_RUN_DEFAULTS,
    );
    expect(spelled).toBe(plain);
  });
});

describe('opening a shared snippet', () => {
  it("replaces files, main and parameters, keeps the reader's connection and theme", () => {
    const opened = openShareState(
      ws({ example: 'hello', params: { old: 1 } }),
      {
        files: [
          { name: 'a.bpf.c', content: 'A' },
          { name: 'b.bpf.c', content: 'B' },
        ],
        main: 'b.bpf.c',
        options: { params: { targ_uid: 7 } },
      },
      { id: 'abcdefghijk', forkedFrom: 'zyxwvutsrqp' },
    );
    expect(opened.snippet).toEqual({
      files: [
        { name: 'a.bpf.c', content: 'A' },
        { name: 'b.bpf.c', content: 'B' },
      ],
      active: 'b.bpf.c',
      main: 'b.bpf.c',
      params: { targ_uid: 7 },
      shared: { id: 'abcdefghijk', forkedFrom: 'zyxwvutsrqp' },
    });
    expect(opened.settings).toEqual(ws().settings);
  });

  it('changes only the run settings the link carries', () => {
    const opened = openShareState(ws({}, { durationSec: 120, mapIntervalMs: 500 }), {
      files: [{ name: 'p.bpf.c', content: '' }],
      options: { durationSec: 10 },
    });
    expect(opened.settings.durationSec).toBe(10);
    expect(opened.settings.mapIntervalMs).toBe(500);
  });

  it('round-trips through a fragment link: open(link(ws)) shares as the same state', () => {
    const original = ws({ params: { targ_pid: 3 }, coreTargets: ['debian-6.1-cloud'] }, { durationSec: 60 });
    const link = encodeFragment(shareStateOf(original), WEB_RUN_DEFAULTS);
    const r = decodeLocation({ hash: link });
    if (!r.ok) throw new Error(r.error);
    const reopened = openShareState(ws(), r.state);
    expect(shareStateOf(reopened)).toEqual(shareStateOf(original));
    expect(sameCode(shareStateOf(reopened), shareStateOf(original))).toBe(true);
  });

  it('calls two states the same code when only run settings differ, different when a file does', () => {
    const a = shareStateOf(ws());
    expect(sameCode(a, { ...a, options: { durationSec: 99 } })).toBe(true);
    expect(sameCode(a, { files: [{ ...a.files[0]!, content: 'int y;' }, a.files[1]!] })).toBe(false);
    expect(sameCode(a, { ...a, options: { params: { x: 1 } } })).toBe(false);
  });
});
