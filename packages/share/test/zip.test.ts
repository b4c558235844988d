import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../src/index.js';
import { HELLO } from './fixtures/snippets.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfplay-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = [
  { name: 'prog.bpf.c', content: HELLO },
  { name: 'prog.h', content: '' },
  { name: 'README.md', content: '# café 🐝\n' },
];

/**
 * Read back with Python's zipfile (python3 is on every machine of this kind; unzip may not be):
 * names, CRC check, contents, time and Unix mode, as JSON.
 */
function inspect(path: string): {
  names: string[];
  bad: string | null;
  contents: Record<string, string>;
  info: { name: string; date: number[]; mode: string }[];
} {
  const py = `
import json, stat, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({
  "names": z.namelist(),
  "bad": z.testzip(),
  "contents": {n: z.read(n).decode("utf-8") for n in z.namelist()},
  "info": [{"name": i.filename, "date": list(i.date_time), "mode": stat.filemode(i.external_attr >> 16)} for i in z.infolist()],
}))`;
  return JSON.parse(execFileSync('python3', ['-c', py, path], { encoding: 'utf8' }));
}

describe('download the files as .zip', () => {
  const p = join(dir, 'a.zip');
  writeFileSync(p, zipFiles(files, { folder: 'bpfplay-abc', mtime: new Date('2024-05-06T07:08:10Z') }));
  const z = inspect(p);

  it('lists every file in its folder, and the CRC check passes', () => {
    expect(z.names).toEqual(files.map((f) => `bpfplay-abc/${f.name}`));
    expect(z.bad).toBeNull();
  });

  it('gives back byte-identical contents, unicode included', () => {
    for (const f of files) expect(z.contents[`bpfplay-abc/${f.name}`]).toBe(f.content);
  });

  it('records the time and a rw-r--r-- mode', () => {
    expect(z.info[0]).toEqual({ name: 'bpfplay-abc/prog.bpf.c', date: [2024, 5, 6, 7, 8, 10], mode: '-rw-r--r--' });
  });

  it('refuses names that would land outside the folder', () => {
    expect(() => zipFiles([{ name: '../x.c', content: '' }])).toThrow(/refusing the file name/);
  });
});
