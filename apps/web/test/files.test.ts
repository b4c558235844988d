import { describe, expect, it } from 'vitest';
import { addFile, deleteFile, mainFile, renameFile } from '../src/state/files';

const files = [
  { name: 'a.bpf.c', content: '' },
  { name: 'a.h', content: '' },
];

describe('snippet file operations', () => {
  it('adds a header with an include guard', () => {
    const r = addFile(files, 'maps.h');
    expect(r.ok && r.files.map((f) => f.name)).toEqual(['a.bpf.c', 'a.h', 'maps.h']);
    expect(r.ok && r.files[2]!.content).toContain('#ifndef __MAPS_H');
  });
  it('refuses names the agent would refuse, with its reason', () => {
    expect(addFile(files, '../etc/passwd')).toEqual({
      ok: false,
      error: 'file names may use letters, digits, _ . + - and no folders',
    });
    expect(addFile(files, 'x.py')).toMatchObject({ ok: false, error: expect.stringMatching(/must end in .c, .h/) });
    expect(addFile(files, 'a.h')).toEqual({ ok: false, error: 'a.h already exists' });
  });
  it('renames, keeping content and order', () => {
    const r = renameFile([{ name: 'a.bpf.c', content: 'x' }, files[1]!], 'a.bpf.c', 'b.bpf.c');
    expect(r).toEqual({ ok: true, files: [{ name: 'b.bpf.c', content: 'x' }, files[1]] });
    expect(renameFile(files, 'a.h', 'a.bpf.c')).toEqual({ ok: false, error: 'a.bpf.c already exists' });
  });
  it('never deletes the last file', () => {
    expect(deleteFile([files[0]!], 'a.bpf.c')).toEqual({ ok: false, error: 'a snippet needs at least one file' });
    expect(deleteFile(files, 'a.h')).toEqual({ ok: true, files: [files[0]] });
  });
  it('finds the main file as the agent will', () => {
    expect(mainFile(files)).toEqual({ name: 'a.bpf.c' });
    expect(mainFile([...files, { name: 'b.bpf.c', content: '' }])).toEqual({
      error: '2 files end in .bpf.c: keep one, or mark the main file',
    });
    expect(mainFile([files[1]!])).toEqual({ error: 'no .bpf.c file to compile: add one' });
  });
});
