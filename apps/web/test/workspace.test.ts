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

const v3: Workspace = {
  version: 3,
  snippet: {
    files: [
      { name: 'hello.bpf.c', content: 'int x;' },
      { name: 'hello.h', content: '#pragma once' },
    ],
    active: 'hello.h',
    example: 'hello',
    params: { targ_pid: 42 },
  },
  settings: { ...DEFAULT_SETTINGS, tokens: { 'ws://10.0.0.5:7100': 't' }, theme: 'light' },
};

describe('saved workspace format', () => {
  it('round-trips the current version unchanged', () => {
    const store = memoryStore();
    saveWorkspace(store, v3);
    expect(loadWorkspace(store)).toEqual({ kind: 'loaded', workspace: v3, migratedFrom: null });
  });

  it('migrates version 1 (one source string) to a one-file snippet, keeping theme and the token for the default agent', () => {
    const r = migrate(
      JSON.stringify({ version: 1, source: 'SEC("tp/x") int f() { return 0; }', token: 'tok', theme: 'light' }),
      { defaultAgentUrl: 'ws://lab.example:7100/ws' },
    );
    expect(r).toEqual({
      kind: 'loaded',
      migratedFrom: 1,
      workspace: {
        version: 3,
        snippet: {
          files: [{ name: 'prog.bpf.c', content: 'SEC("tp/x") int f() { return 0; }' }],
          active: 'prog.bpf.c',
          params: {},
        },
        settings: { ...DEFAULT_SETTINGS, tokens: { 'ws://lab.example:7100': 'tok' }, theme: 'light' },
      },
    });
  });

  it('migrates version 2 silently: its one token stays with the agent it was used for, and no other', () => {
    const { tokens: _t, ...common } = v3.settings;
    const chosen = { ...v3, version: 2, settings: { ...common, agentUrl: 'ws://10.0.0.5:7100/ws', token: 't' } };
    expect(migrate(JSON.stringify(chosen))).toEqual({
      kind: 'loaded',
      migratedFrom: null,
      workspace: { ...v3, settings: { ...v3.settings, agentUrl: 'ws://10.0.0.5:7100/ws' } },
    });
    const byDefault = { ...chosen, settings: { ...chosen.settings, agentUrl: null } };
    const r = migrate(JSON.stringify(byDefault), { defaultAgentUrl: 'ws://127.0.0.1:7100/ws' });
    expect(r.kind === 'loaded' && r.workspace.settings.tokens).toEqual({ 'ws://127.0.0.1:7100': 't' });
    const none = { ...chosen, settings: { ...chosen.settings, token: null } };
    expect(migrate(JSON.stringify(none)).kind === 'loaded').toBe(true);
  });

  it('nothing saved is empty, not an error', () => {
    expect(migrate(null)).toEqual({ kind: 'empty' });
  });

  it('refuses data from a newer version instead of guessing', () => {
    expect(migrate(JSON.stringify({ version: 4 }))).toEqual({
      kind: 'unreadable',
      reason: 'saved workspace is version 4, written by a newer bpfplay than this one (3)',
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
    const r = migrate(JSON.stringify({ ...v3, snippet: { ...v3.snippet, active: 'gone.h' } }));
    expect(r.kind === 'loaded' && r.workspace.snippet.active).toBe('hello.bpf.c');
  });
});
