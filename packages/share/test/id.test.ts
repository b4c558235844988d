import { describe, expect, it } from 'vitest';
import { DEFAULT_ID_SALT, idCandidates, snippetHash, snippetId } from '../src/id.js';
import { isSnippetId } from '../src/idFormat.js';
import type { ShareState } from '../src/state.js';
import { HELLO, numbered, one } from './fixtures/snippets.js';

describe('content-addressed ids', () => {
  it('are 11 url-safe characters', () => {
    const id = snippetId(one());
    expect(id).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(isSnippetId(id)).toBe(true);
  });

  it('same snippet, same id, whatever the key order or neutral options', () => {
    const a: ShareState = {
      files: [{ name: 'prog.bpf.c', content: HELLO }],
      options: { durationSec: 5, params: { a: 1, b: 2 } },
    };
    const b = {
      options: { params: { b: 2, a: 1 }, durationSec: 5, mode: 'run', targets: ['host'] },
      files: [{ content: HELLO, name: 'prog.bpf.c' }],
    } as ShareState;
    expect(snippetId(a)).toBe(snippetId(b));
    expect(snippetId(one())).toBe(snippetId({ ...one(), main: 'prog.bpf.c', options: { params: {} } }));
  });

  it('any change gives a different id: content, a file name, file order, options, main', () => {
    const base: ShareState = {
      files: [
        { name: 'a.bpf.c', content: HELLO },
        { name: 'b.bpf.c', content: HELLO },
      ],
      main: 'a.bpf.c',
    };
    const variants: ShareState[] = [
      base,
      { ...base, files: [{ name: 'a.bpf.c', content: `${HELLO} ` }, base.files[1]!] },
      { ...base, files: [{ name: 'c.bpf.c', content: HELLO }, base.files[1]!], main: 'c.bpf.c' },
      { ...base, files: [base.files[1]!, base.files[0]!] },
      { ...base, main: 'b.bpf.c' },
      { ...base, options: { durationSec: 5 } },
      { ...base, options: { params: { targ_pid: 1 } } },
      { ...base, options: { params: { targ_pid: '1' } } },
      { ...base, files: [{ name: 'a.bpf.c', content: HELLO.replace(/\n/g, '\r\n') }, base.files[1]!] },
    ];
    const ids = variants.map((v) => snippetId(v));
    expect(new Set(ids).size).toBe(variants.length);
  });

  it('many different snippets never share an id', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(snippetId(numbered(i, 0)));
    expect(ids.size).toBe(2000);
  });

  it('depend on the salt (configurable; the default is a documented constant)', () => {
    expect(DEFAULT_ID_SALT).toBe('bpfplay snippet id, salt 1\n');
    expect(snippetId(one(), 'another deployment\n')).not.toBe(snippetId(one()));
  });

  it('grow past a trailing "_" or "-", which chat apps leave out of links', () => {
    let found: string | undefined;
    for (let i = 0; i < 5000 && !found; i++) {
      const h = snippetHash(numbered(i, 1));
      if (/[-_]/.test(h[10]!)) found = h;
    }
    expect(found, 'a hash whose 11th character is - or _').toBeDefined();
    const id = idCandidates(found!)[0]!;
    expect(id.length).toBeGreaterThan(11);
    expect(id).toMatch(/[A-Za-z0-9]$/);
    expect(found!.startsWith(id)).toBe(true);
  });

  it('offer longer prefixes of the same hash when a shorter one is taken', () => {
    const c = idCandidates(snippetHash(one()));
    expect(c[0]!.length).toBeGreaterThanOrEqual(11);
    for (let i = 1; i < c.length; i++) {
      expect(c[i]!.startsWith(c[i - 1]!)).toBe(true);
      expect(c[i]!.length).toBeGreaterThan(c[i - 1]!.length);
    }
    expect(c.at(-1)!.length).toBe(43);
  });
});
