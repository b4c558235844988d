import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/state/kvStore';
import {
  DEFAULT_SETTINGS,
  UNREADABLE_BACKUP_KEY,
  WORKSPACE_KEY,
  loadWorkspace,
  migrate,
  saveWorkspace,
  type Workspace,
} from '../src/state/workspace';

const v2: Workspace = {
  version: 2,
  snippet: {
    files: [
      { name: 'hello.bpf.c', content: 'int x;' },
      { name: 'hello.h', content: '#pragma once' },
    ],
    active: 'hello.h',
    example: 'hello',
    params: { targ_pid: 42 },
  },
  settings: { ...DEFAULT_SETTINGS, token: 't', theme: 'light' },
};

describe('saved workspace format', () => {
  it('round-trips the current version unchanged', () => {
    const store = memoryStore();
    saveWorkspace(store, v2);
    expect(loadWorkspace(store)).toEqual({ kind: 'loaded', workspace: v2, migratedFrom: null });
  });

  it('migrates version 1 (one source string) to a one-file snippet, keeping token and theme', () => {
    const r = migrate(
      JSON.stringify({ version: 1, source: 'SEC("tp/x") int f() { return 0; }', token: 'tok', theme: 'light' }),
    );
    expect(r).toEqual({
      kind: 'loaded',
      migratedFrom: 1,
      workspace: {
        version: 2,
        snippet: {
          files: [{ name: 'prog.bpf.c', content: 'SEC("tp/x") int f() { return 0; }' }],
          active: 'prog.bpf.c',
          params: {},
        },
        settings: { ...DEFAULT_SETTINGS, token: 'tok', theme: 'light' },
      },
    });
  });

  it('nothing saved is empty, not an error', () => {
    expect(migrate(null)).toEqual({ kind: 'empty' });
  });

  it('refuses data from a newer version instead of guessing', () => {
    expect(migrate(JSON.stringify({ version: 3 }))).toEqual({
      kind: 'unreadable',
      reason: 'saved workspace is version 3, written by a newer bpfplay than this one (2)',
    });
  });

  it('damaged data is unreadable with the reason, and the raw text is backed up', () => {
    const store = memoryStore({ [WORKSPACE_KEY]: '{"version":2,"snippet":{"files":[]}}' });
    const r = loadWorkspace(store);
    expect(r.kind).toBe('unreadable');
    if (r.kind === 'unreadable') expect(r.reason).toMatch(/^saved workspace is damaged at snippet/);
    expect(store.get(UNREADABLE_BACKUP_KEY)).toBe('{"version":2,"snippet":{"files":[]}}');
    expect(migrate('{oops').kind).toBe('unreadable');
    expect(migrate('"a string"')).toEqual({ kind: 'unreadable', reason: 'saved workspace has no version' });
  });

  it('an active file that no longer exists falls back to the first file', () => {
    const r = migrate(JSON.stringify({ ...v2, snippet: { ...v2.snippet, active: 'gone.h' } }));
    expect(r.kind === 'loaded' && r.workspace.snippet.active).toBe('hello.bpf.c');
  });
});
