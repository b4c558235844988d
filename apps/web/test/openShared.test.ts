import { describe, expect, it } from 'vitest';
import { encodeFragment } from '@bpfplay/share';
import { DEFAULT_SETTINGS, type Workspace } from '../src/state/workspace';
import { STARTER_FILES } from '../src/examples/starter';
import { decideOpen, withoutSharedSnippet } from '../src/share/openShared';
import { openShareState, shareStateOf } from '../src/share/shareState';

const workspace = (files = [{ name: 'mine.bpf.c', content: 'my work' }], shared?: { id: string }): Workspace => ({
  version: 3,
  snippet: { files, active: files[0]!.name, params: {}, ...(shared ? { shared } : {}) },
  settings: { ...DEFAULT_SETTINGS },
});
const starter = () => workspace(STARTER_FILES.map((f) => ({ ...f })));
const linked = { files: [{ name: 'linked.bpf.c', content: 'from the link' }] };
const stored = { id: 'AbCdEfGhIjK', files: [{ name: 's.bpf.c', content: 'stored' }], forkedFrom: 'ZyXwVuTsRqP' };

describe('opening the page from a link', () => {
  it('leaves the saved work alone when the URL carries no snippet or an ordinary #anchor', () => {
    expect(decideOpen(workspace(), { hash: '', search: '' })).toEqual({ kind: 'none' });
    expect(decideOpen(workspace(), { hash: '#maps', search: '' })).toEqual({ kind: 'none' });
  });

  it('opens a fragment link and offers undo only when other work was there', () => {
    const hash = encodeFragment(linked);
    const over = decideOpen(workspace(), { hash });
    expect(over).toMatchObject({ kind: 'open', state: linked, replaced: true, source: 'fragment' });
    // A first visit shows the starter: nothing worth an undo.
    expect(decideOpen(starter(), { hash })).toMatchObject({ kind: 'open', replaced: false });
    // The same code already open: nothing lost either.
    expect(decideOpen(workspace(linked.files), { hash })).toMatchObject({ kind: 'open', replaced: false });
  });

  it('reads ?share= when a redirector dropped the fragment', () => {
    const q = `?share=${encodeURIComponent(encodeFragment(linked).slice(1))}`;
    expect(decideOpen(workspace(), { hash: '', search: q })).toMatchObject({ kind: 'open', state: linked });
  });

  it('turns a damaged or future link into a message that says what happened and that the work is safe', () => {
    const cut = encodeFragment(linked).slice(0, 20);
    const r = decideOpen(workspace(), { hash: cut });
    expect(r.kind).toBe('error');
    if (r.kind !== 'error') return;
    expect(r.message).toMatch(/^This link's snippet could not be opened: the v1 link is damaged/);
    expect(r.message).toContain('Your own snippet is shown instead');
    const future = decideOpen(workspace(), { hash: '#v7/abc' });
    expect(future.kind === 'error' && future.message).toContain('made by a newer bpfplay');
  });

  it('opens /s/<id> with its id and fork origin remembered', () => {
    const r = decideOpen(workspace(), { hash: '' }, stored);
    expect(r).toMatchObject({
      kind: 'open',
      source: 'short',
      label: '/s/AbCdEfGhIjK',
      shared: { id: 'AbCdEfGhIjK', forkedFrom: 'ZyXwVuTsRqP' },
    });
    if (r.kind !== 'open') return;
    const ws = openShareState(workspace(), r.state, r.shared);
    expect(ws.snippet.shared).toEqual({ id: 'AbCdEfGhIjK', forkedFrom: 'ZyXwVuTsRqP' });
    expect(ws.snippet.files).toEqual(stored.files);
  });

  it('keeps the edits when /s/<id> is reopened after editing that snippet, and does nothing when unedited', () => {
    const opened = openShareState(workspace(), shareStateOf(workspace(stored.files)), { id: stored.id });
    expect(decideOpen(opened, { hash: '' }, stored)).toEqual({ kind: 'none' });
    const edited = {
      ...opened,
      snippet: { ...opened.snippet, files: [{ name: 's.bpf.c', content: 'stored, then edited' }] },
    };
    expect(decideOpen(edited, { hash: '' }, stored)).toEqual({ kind: 'keep-edits', id: stored.id });
  });

  it('drops the snippet from the address once it is in the workspace, and nothing else', () => {
    expect(withoutSharedSnippet('http://h:3000/?agent=x#v1/abc')).toBe('http://h:3000/?agent=x');
    expect(withoutSharedSnippet('http://h:3000/?share=v1%2Fabc&agent=x')).toBe('http://h:3000/?agent=x');
    expect(withoutSharedSnippet('http://h:3000/s/abc')).toBe('http://h:3000/s/abc');
  });
});
