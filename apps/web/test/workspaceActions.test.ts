import { describe, expect, it } from 'vitest';
import type { Example } from '../src/examples/types';
import { DEFAULT_SETTINGS, type Workspace } from '../src/state/workspace';
import { fileActionProblem, workspaceReducer, type WorkspaceAction } from '../src/state/workspaceActions';

const ws = (over: Partial<Workspace['snippet']> = {}): Workspace => ({
  version: 3,
  snippet: {
    files: [
      { name: 'main.bpf.c', content: '#include "common.h"\n' },
      { name: 'common.h', content: '#pragma once\n' },
    ],
    main: 'main.bpf.c',
    active: 'main.bpf.c',
    params: { targ_pid: 7 },
    coreTargets: ['debian-6.1-cloud'],
    ...over,
  },
  settings: { ...DEFAULT_SETTINGS },
});
const apply = (w: Workspace, ...as: WorkspaceAction[]) => as.reduce(workspaceReducer, w);

describe('workspace actions', () => {
  it('rename keeps the open tab and the main file pointing at the renamed file', () => {
    const w = apply(ws(), { type: 'file-renamed', from: 'main.bpf.c', to: 'prog.bpf.c' });
    expect(w.snippet.files.map((f) => f.name)).toEqual(['prog.bpf.c', 'common.h']);
    expect(w.snippet.active).toBe('prog.bpf.c');
    expect(w.snippet.main).toBe('prog.bpf.c');
  });

  it('deleting the open file opens the first one; add opens the new file with a starter', () => {
    const w = apply(ws({ active: 'common.h' }), { type: 'file-deleted', name: 'common.h' });
    expect(w.snippet.active).toBe('main.bpf.c');
    const added = apply(w, { type: 'file-added', name: 'extra.h' });
    expect(added.snippet.active).toBe('extra.h');
    expect(added.snippet.files.at(-1)!.content).toContain('__EXTRA_H');
  });

  it('a refused file action says why and changes nothing', () => {
    const w = ws();
    const a: WorkspaceAction = { type: 'file-added', name: '../evil.h' };
    expect(fileActionProblem(w, a)).toMatch(/no folders/);
    expect(workspaceReducer(w, a)).toBe(w);
    expect(fileActionProblem(w, { type: 'file-renamed', from: 'common.h', to: 'main.bpf.c' })).toBe(
      'main.bpf.c already exists',
    );
  });

  it('params: a value for the next run, and undefined back to the compiled-in one', () => {
    const w = apply(
      ws(),
      { type: 'param-set', name: 'min_us', value: 100 },
      { type: 'param-set', name: 'targ_pid', value: undefined },
    );
    expect(w.snippet.params).toEqual({ min_us: 100 });
  });

  it('settings: duration, theme, agent', () => {
    const w = apply(
      ws(),
      { type: 'duration-set', durationSec: 120 },
      { type: 'theme-toggled' },
      { type: 'agent-set', agentUrl: 'ws://h:1/ws', defaultAgentUrl: 'ws://d:7100/ws', token: 't' },
    );
    expect(w.settings).toMatchObject({
      durationSec: 120,
      theme: 'light',
      agentUrl: 'ws://h:1/ws',
      tokens: { 'ws://h:1': 't' },
    });
    // Another agent gets its own token; the first keeps its own; the default agent is keyed by its URL.
    const both = apply(w, { type: 'agent-set', agentUrl: null, defaultAgentUrl: 'ws://d:7100/ws', token: 'd' });
    expect(both.settings).toMatchObject({ agentUrl: null, tokens: { 'ws://h:1': 't', 'ws://d:7100': 'd' } });
    expect(apply(w, { type: 'theme-set', theme: 'dark' }).settings.theme).toBe('dark');
  });

  it("an example replaces the snippet with its files and params, and keeps the user's CO-RE targets", () => {
    const example: Example = {
      name: 'hello',
      meta: { title: 'Hello', description: 'd', kinds: [], category: 'basics', expect: {}, params: { n: 1 } },
      files: [{ name: 'hello.bpf.c', content: 'x' }],
      main: 'hello.bpf.c',
      problem: null,
    };
    const before = ws();
    const w = apply(
      before,
      { type: 'example-loaded', example },
      { type: 'file-edited', name: 'hello.bpf.c', content: 'y' },
    );
    expect(w.snippet).toEqual({
      files: [{ name: 'hello.bpf.c', content: 'y' }],
      active: 'hello.bpf.c',
      main: 'hello.bpf.c',
      example: 'hello',
      params: { n: 1 },
      coreTargets: ['debian-6.1-cloud'],
    });
    expect(example.files[0]!.content).toBe('x');
    expect(apply(w, { type: 'snippet-restored', snippet: before.snippet }).snippet).toBe(before.snippet);
  });
});
