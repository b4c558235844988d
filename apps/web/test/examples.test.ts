import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { examplesDir, readExamples } from '../src/server/examples';
import { GET } from '../app/api/examples/route';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfplay-examples-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), content);
  }
  return dir;
}

const meta = (title: string, category: string) =>
  JSON.stringify({ title, description: `${title} does things`, kinds: ['tracepoint'], category, expect: {} });

describe('examples gallery reader', () => {
  it('lists examples in category order with the main file first and headers after', async () => {
    const dir = folder({
      'zeta/zeta.bpf.c': 'int z;',
      'zeta/zeta.h': '#pragma once',
      'zeta/meta.json': meta('Zeta', 'basics'),
      'alpha/alpha.bpf.c': 'int a;',
      'alpha/meta.json': meta('Alpha', 'tracing'),
      'broken-x/broken-x.bpf.c': 'int b;',
      'broken-x/meta.json': meta('Broken X', 'broken'),
    });
    const { examples, error } = await readExamples(dir);
    expect(error).toBeNull();
    expect(examples.map((e) => e.name)).toEqual(['zeta', 'alpha', 'broken-x']);
    expect(examples[0]!.files.map((f) => f.name)).toEqual(['zeta.bpf.c', 'zeta.h']);
    expect(examples[0]!.main).toBe('zeta.bpf.c');
    expect(examples[0]!.problem).toBeNull();
  });

  it('still lists an example whose meta.json is missing or invalid, naming the problem', async () => {
    const dir = folder({
      'nometa/nometa.bpf.c': 'int n;',
      'badmeta/badmeta.bpf.c': 'int n;',
      'badmeta/meta.json': JSON.stringify({ title: 'x', category: 'nope' }),
      'empty/README.md': 'no sources here',
    });
    const { examples } = await readExamples(dir);
    const byName = new Map(examples.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['badmeta', 'nometa']);
    expect(byName.get('nometa')!.problem).toBe('bpf/nometa/meta.json: missing');
    expect(byName.get('badmeta')!.problem).toMatch(/^bpf\/badmeta\/meta.json: description: /);
    expect(byName.get('badmeta')!.meta.title).toBe('badmeta');
  });

  it('says it could not read its folder and how to point it elsewhere, without telling anyone the path', async () => {
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(' '));
    try {
      const r = await readExamples('/nonexistent/bpf');
      expect(r.examples).toEqual([]);
      expect(r.error).toBe(
        'the server cannot read its examples folder (ENOENT); its operator should set BPFPLAY_EXAMPLES_DIR',
      );
      expect(errors.join('\n'), 'the server log has the path').toContain('/nonexistent/bpf');
    } finally {
      console.error = log;
    }
  });

  it('/api/examples answers with names and contents, never a path on the server', async () => {
    const body = JSON.stringify(await (await GET()).json());
    expect(body).toContain('"examples"');
    expect(body).not.toContain(examplesDir());
    expect(body).not.toContain(path.resolve(examplesDir(), '..'));
    expect(body).not.toMatch(/"dir"/);
  });

  it('finds the repository bpf/ from apps/web or the root, unless told otherwise', () => {
    const repo = folder({ 'bpf/.keep': '', 'apps/web/.keep': '' });
    expect(examplesDir({}, path.join(repo, 'apps/web'))).toBe(path.join(repo, 'bpf'));
    expect(examplesDir({}, repo)).toBe(path.join(repo, 'bpf'));
    expect(examplesDir({ BPFPLAY_EXAMPLES_DIR: '/srv/ex' }, repo)).toBe('/srv/ex');
  });
});
