import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/state/kvStore';
import {
  EMPTY_LIBRARY,
  LIBRARY_KEY,
  MAX_VERSIONS,
  UNREADABLE_LIBRARY_KEY,
  VERSION_EVERY_MS,
  isEdited,
  loadLibrary,
  migrateLibrary,
  record,
  saveLibrary,
  setStarter,
  snippetOf,
  type IdentifiedSnippet,
} from '../src/state/snippetLibrary';
import { migrate } from '../src/state/workspace';
import { workspaceReducer } from '../src/state/workspaceActions';
import { freshWorkspace } from '../src/hooks/useWorkspace';
import { STARTER_FILES } from '../src/examples/starter';

setStarter(STARTER_FILES);
const T0 = 1_700_000_000_000;
const mine = (text: string, extra: Partial<IdentifiedSnippet> = {}): IdentifiedSnippet => ({
  id: 's1',
  files: [{ name: 'mine.bpf.c', content: text }],
  active: 'mine.bpf.c',
  params: {},
  ...extra,
});

describe('the snippet list: versions and migration', () => {
  it('first start with a saved (edited) workspace: the list starts with that snippet', () => {
    const r = migrateLibrary(null, mine('int x;'), T0);
    expect(r.kind).toBe('loaded');
    if (r.kind !== 'loaded') return;
    expect(r.migratedFrom).toBe('workspace');
    expect(r.library.entries.map((e) => [e.id, e.title, e.files[0]!.content, e.versions.length])).toEqual([
      ['s1', 'untitled snippet', 'int x;', 1],
    ]);
  });

  it('first start on the untouched starter: nothing to keep, an empty list', () => {
    const ws = freshWorkspace();
    const r = migrateLibrary(null, { ...ws.snippet, id: 'x' }, T0);
    expect(r).toEqual({ kind: 'loaded', library: EMPTY_LIBRARY, migratedFrom: null });
  });

  it('a workspace saved by every earlier version reaches the list with its code', () => {
    const v1 = JSON.stringify({ version: 1, source: 'int old;', token: null });
    const w = migrate(v1);
    expect(w.kind).toBe('loaded');
    if (w.kind !== 'loaded') return;
    const r = migrateLibrary(null, { ...w.workspace.snippet, id: 'v1' }, T0);
    expect(r.kind === 'loaded' && r.library.entries[0]!.files).toEqual([{ name: 'prog.bpf.c', content: 'int old;' }]);
  });

  it('reads what it wrote; refuses a newer or damaged list without overwriting it', () => {
    const store = memoryStore();
    const lib = record(EMPTY_LIBRARY, mine('int a;', { title: 'opensnoop, mine' }), T0, { checkpoint: true });
    expect(saveLibrary(store, lib)).toBe(true);
    expect(loadLibrary(store, null, T0)).toEqual({ kind: 'loaded', library: lib, migratedFrom: null });

    for (const [raw, reason] of [
      [JSON.stringify({ version: 2, entries: [] }), /version 2, written by a newer bpfplay/],
      ['{', /not JSON/],
      [JSON.stringify({ version: 1, entries: [{ id: 'x' }] }), /damaged at entries\.0\.title/],
      [JSON.stringify({ entries: [] }), /no version/],
    ] as const) {
      const s = memoryStore({ [LIBRARY_KEY]: raw });
      const r = loadLibrary(s, mine('int now;'), T0);
      expect(r.kind).toBe('unreadable');
      expect(r.kind === 'unreadable' && r.reason).toMatch(reason);
      expect(s.get(UNREADABLE_LIBRARY_KEY)).toBe(raw);
      expect(s.get(LIBRARY_KEY)).toBe(raw);
    }
  });

  it('keeps a version per couple of minutes of typing and one on leaving, never two of the same text', () => {
    let lib = record(EMPTY_LIBRARY, mine('a'), T0, { checkpoint: false });
    lib = record(lib, mine('ab'), T0 + 1000, { checkpoint: false });
    expect(lib.entries[0]!.files[0]!.content).toBe('ab');
    expect(lib.entries[0]!.versions.map((v) => v.files[0]!.content)).toEqual(['a']);
    lib = record(lib, mine('abc'), T0 + VERSION_EVERY_MS, { checkpoint: false });
    lib = record(lib, mine('abcd'), T0 + VERSION_EVERY_MS + 1, { checkpoint: true });
    lib = record(lib, mine('abcd'), T0 + VERSION_EVERY_MS + 2, { checkpoint: true });
    expect(lib.entries[0]!.versions.map((v) => v.files[0]!.content)).toEqual(['a', 'abc', 'abcd']);
    for (let i = 0; i < MAX_VERSIONS + 5; i++) lib = record(lib, mine(`v${i}`), T0 + i, { checkpoint: true });
    expect(lib.entries[0]!.versions).toHaveLength(MAX_VERSIONS);
    expect(lib.entries[0]!.versions.at(-1)!.files[0]!.content).toBe(`v${MAX_VERSIONS + 4}`);
  });

  it('a full browser storage drops the oldest versions, never the current text', () => {
    let lib = EMPTY_LIBRARY;
    for (let i = 0; i < 5; i++) lib = record(lib, mine(`text ${i}`), T0 + i, { checkpoint: true });
    const oneVersion = JSON.stringify({
      ...lib,
      entries: [{ ...lib.entries[0]!, versions: lib.entries[0]!.versions.slice(-1) }],
    }).length;
    const all = JSON.stringify(lib).length;
    const full = { ...memoryStore(), set: (_k: string, v: string) => v.length < oneVersion };
    expect(saveLibrary(full, lib)).toBe(false);
    const roomy = memoryStore();
    let sets = 0;
    const store = { ...roomy, set: (k: string, v: string) => (++sets, v.length < all - 10 && roomy.set(k, v)) };
    expect(saveLibrary(store, lib)).toBe(true);
    const saved = JSON.parse(roomy.get(LIBRARY_KEY)!);
    expect(saved.entries[0].files[0].content).toBe('text 4');
    expect(saved.entries[0].versions.length).toBeLessThan(5);
    expect(sets).toBeGreaterThan(1);
  });

  it('edited: differs from its example or the starter, or has a title', () => {
    const example = [{ name: 'ex.bpf.c', content: 'int ex;' }];
    expect(isEdited(mine('int ex;', { files: example, example: 'ex' }), example)).toBe(false);
    expect(isEdited(mine('', { files: [{ name: 'ex.bpf.c', content: 'int ex2;' }], example: 'ex' }), example)).toBe(
      true,
    );
    expect(isEdited({ ...freshWorkspace().snippet }, null)).toBe(false);
    expect(isEdited({ ...freshWorkspace().snippet, title: 'mine' }, null)).toBe(true);
  });

  it('New, a title and reopening an entry go through the workspace actions', () => {
    let w = freshWorkspace();
    w = workspaceReducer(w, { type: 'snippet-identified', id: 'a' });
    w = workspaceReducer(w, { type: 'title-set', title: 'my tracer' });
    expect(w.snippet).toMatchObject({ id: 'a', title: 'my tracer' });
    const lib = record(EMPTY_LIBRARY, { ...w.snippet, id: 'a' }, T0, { checkpoint: true });
    w = workspaceReducer(w, { type: 'snippet-new', id: 'b', files: STARTER_FILES });
    expect(w.snippet.id).toBe('b');
    expect(w.snippet.title).toBeUndefined();
    w = workspaceReducer(w, { type: 'snippet-restored', snippet: snippetOf(lib.entries[0]!) });
    expect(w.snippet).toMatchObject({ id: 'a', title: 'my tracer' });
    w = workspaceReducer(w, { type: 'title-set', title: '  ' });
    expect(w.snippet.title).toBeUndefined();
  });
});
