import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarFiles } from '../src/index.js';
import { HELLO } from './fixtures/snippets.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfplay-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

const files = [
  { name: 'prog.bpf.c', content: HELLO },
  { name: 'prog.h', content: '' },
  { name: 'README.md', content: '# café 🐝\n' },
  { name: 'exactly512.txt', content: 'z'.repeat(512) },
];

describe('download the files as .tar', () => {
  it('GNU tar lists the folder and every file, in order', () => {
    const p = write('a.tar', tarFiles(files, { folder: 'bpfplay-abc', mtime: 1_700_000_000 }));
    const list = execFileSync('tar', ['-tf', p], { encoding: 'utf8' }).trim().split('\n');
    expect(list).toEqual(['bpfplay-abc/', ...files.map((f) => `bpfplay-abc/${f.name}`)]);
  });

  it('extracts byte-identical contents (unicode, empty, block-sized), with mode and time', () => {
    const p = write('b.tar', tarFiles(files, { folder: 'bpfplay-abc', mtime: 1_700_000_000 }));
    const out = join(dir, 'x');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', p, '-C', out]);
    for (const f of files) expect(readFileSync(join(out, 'bpfplay-abc', f.name), 'utf8')).toBe(f.content);
    const verbose = execFileSync('tar', ['-tvf', p, '--utc'], { encoding: 'utf8' });
    expect(verbose).toMatch(/^-rw-r--r-- bpfplay\/bpfplay\s+\d+ 2023-11-14 22:13 bpfplay-abc\/prog\.bpf\.c$/m);
    expect(verbose).toMatch(/^drwxr-xr-x /m);
  });

  it('has the ustar layout: 512-byte blocks, two zero blocks at the end', () => {
    const t = tarFiles([{ name: 'a.c', content: 'x' }], { mtime: 0 });
    expect(t.length).toBe(512 + 512 + 1024);
    expect(new TextDecoder().decode(t.slice(257, 262))).toBe('ustar');
    expect(t.slice(1024).every((b) => b === 0)).toBe(true);
  });

  it('is the same bytes for the same files and time (so downloads can be cached)', () => {
    expect(tarFiles(files, { mtime: 5 })).toEqual(tarFiles(files, { mtime: 5 }));
  });

  it('puts a long path in the ustar prefix field', () => {
    const folder = 'f'.repeat(90);
    const p = write('c.tar', tarFiles([{ name: `${'n'.repeat(60)}.c`, content: 'x' }], { folder, mtime: 0 }));
    expect(execFileSync('tar', ['-tf', p], { encoding: 'utf8' })).toContain(`${folder}/${'n'.repeat(60)}.c`);
  });

  it('refuses names that would land outside the folder', () => {
    expect(() => tarFiles([{ name: '../evil.c', content: '' }])).toThrow(/refusing the file name "..\/evil.c"/);
    expect(() => tarFiles([{ name: '/etc/x', content: '' }])).toThrow(/outside the archive's folder/);
  });
});
