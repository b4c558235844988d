import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CacheKeyParts, cacheKey, ObjectCache } from '../../src/compile/cache.js';
import { COMPILE_TIMEOUT, HELLO, snippet, tempDir, tempDirPerTest, testCompiler } from './helpers.js';

const BASE: CacheKeyParts = {
  files: [
    { name: 'a.bpf.c', content: 'int a;' },
    { name: 'b.h', content: 'int b;' },
  ],
  main: 'a.bpf.c',
  flags: ['-O2', '-g'],
  clangVersion: 'clang 19',
  btfHash: 'btf1',
  vmlinuxHash: 'vml1',
  headersHash: 'hdr1',
};

describe('cache key', () => {
  it('does not depend on the order files are listed in', () => {
    expect(cacheKey({ ...BASE, files: [...BASE.files].reverse() })).toBe(cacheKey(BASE));
  });

  it.each([
    ['file content', { files: [{ name: 'a.bpf.c', content: 'int a; ' }, BASE.files[1]!] }],
    ['file name', { files: [BASE.files[0]!, { name: 'c.h', content: 'int b;' }] }],
    ['main file', { main: 'b.h' }],
    ['flags', { flags: ['-O2'] }],
    ['clang version', { clangVersion: 'clang 19.1.8' }],
    ['kernel BTF', { btfHash: 'btf2' }],
    ['vmlinux.h (another bpftool)', { vmlinuxHash: 'vml2' }],
    ['shim and libbpf headers', { headersHash: 'hdr2' }],
  ] as [string, Partial<CacheKeyParts>][])('changes with the %s', (_what, change) => {
    expect(cacheKey({ ...BASE, ...change })).not.toBe(cacheKey(BASE));
  });

  it('cannot be made to collide by moving bytes between a name and its content', () => {
    const one = { ...BASE, files: [{ name: 'ab.h', content: 'c' }] };
    const two = { ...BASE, files: [{ name: 'a', content: 'b.hc' }] };
    expect(cacheKey(one)).not.toBe(cacheKey(two));
  });
});

describe('ObjectCache on disk', () => {
  const dir = tempDirPerTest('bpfplay-cache-');
  const key = (n: number) => n.toString(16).padStart(64, '0');
  const entry = (n: number, size = 1000) => ({
    object: Buffer.alloc(size, n),
    diagnostics: [{ file: 'a.c', line: n, col: 1, severity: 'warning' as const, message: `w${n}`, option: '-Wall' }],
    output: `out ${n}`,
  });

  it('returns what was put, warnings and output included, also after a restart', async () => {
    const d = dir();
    const c = await ObjectCache.open(d, 1 << 20, () => {});
    await c.put(key(1), entry(1));
    expect(await c.get(key(1))).toEqual(entry(1));
    const reopened = await ObjectCache.open(d, 1 << 20, () => {});
    expect(reopened.bytes).toBe(c.bytes);
    expect(await reopened.get(key(1))).toEqual(entry(1));
    expect(await reopened.get(key(2))).toBeUndefined();
  });

  it('evicts the least recently used entries when over its size cap', async () => {
    const d = dir();
    // Each entry is ~1.2 KB (1000-byte object + header): four fit under 5000, a fifth does not.
    const c = await ObjectCache.open(d, 5000, () => {});
    // No pauses needed: entries used within the same millisecond keep their order of use.
    for (const n of [1, 2, 3, 4]) await c.put(key(n), entry(n));
    await c.get(key(1)); // 1 is now the most recently used
    await c.put(key(5), entry(5));
    expect(c.bytes).toBeLessThanOrEqual(5000 * 0.8);
    const present = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await c.get(key(n))) !== undefined));
    expect(present).toEqual([true, false, false, true, true]);
  });

  it('treats a torn or tampered entry as a miss', async () => {
    const d = dir();
    const c = await ObjectCache.open(d, 1 << 20, () => {});
    await c.put(key(7), entry(7));
    const file = join(d, 'objects', readdirSync(join(d, 'objects'))[0]!);
    writeFileSync(file, Buffer.concat([Buffer.from([10, 0, 0, 0]), Buffer.from('{"x":1}')]));
    expect(await c.get(key(7))).toBeUndefined();
  });
});

/** Mounts a tmpfs (root only; the agent runs as root) and unmounts it after the test. */
function mountTmpfs(options: string): { dir: string; cleanup: () => void } {
  const d = tempDir('bpfplay-mnt-');
  try {
    execFileSync('/usr/bin/mount', ['-t', 'tmpfs', '-o', options, 'bpfplay-test', d.dir]);
  } catch (e) {
    d.cleanup();
    throw new Error(`cannot mount a tmpfs for this test (needs root and mount rights): ${(e as Error).message}`, {
      cause: e,
    });
  }
  return {
    dir: d.dir,
    cleanup: () => {
      execFileSync('/usr/bin/umount', [d.dir]);
      d.cleanup();
    },
  };
}

describe('a cache folder that cannot be written does not stop compiles', { timeout: COMPILE_TIMEOUT }, () => {
  it.each([
    ['read-only', 'ro,size=16m'],
    ['full', 'size=1m'],
  ])('%s: compiles work, uncached, and the problem is reported', async (what, options) => {
    const mnt = mountTmpfs(options);
    try {
      if (what === 'full') {
        // Fill it to the last block: every later write fails with ENOSPC.
        expect(() =>
          execFileSync('/usr/bin/sh', ['-c', `/usr/bin/head -c 2M /dev/zero > ${mnt.dir}/filler`]),
        ).toThrow();
      }
      const t = await testCompiler({ cacheDir: mnt.dir });
      try {
        const s = snippet(HELLO.replace('hello from execve', `uncached ${options}`));
        const first = await t.compiler.compile(s);
        expect(first.diagnostics, first.output).toEqual([]);
        expect(first.ok).toBe(true);
        const second = await t.compiler.compile(s);
        expect(second.ok).toBe(true);
        expect(second.cache).not.toBe('hit');
        const said = t.warnings.join('\n');
        expect(said).toMatch(/cannot write vmlinux\.h under/);
        expect(said).toMatch(/object cache at .*: cannot (open|write)/);
      } finally {
        await t.cleanup();
      }
    } finally {
      mnt.cleanup();
    }
  });
});

describe('identical compiles at the same time', { timeout: COMPILE_TIMEOUT }, () => {
  it('run clang once; the others get its result as a hit', async () => {
    const t = await testCompiler();
    try {
      const s = snippet(HELLO.replace('hello from execve', 'everyone at once'));
      const results = await Promise.all([1, 2, 3, 4].map(() => t.compiler.compile(s)));
      expect(results.map((r) => r.cache).sort()).toEqual(['hit', 'hit', 'hit', 'pch']);
      expect(new Set(results.map((r) => r.objectHash)).size).toBe(1);
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it('share a compile error too, and a cancelled first compile does not fail the others', async () => {
    const t = await testCompiler();
    try {
      const broken = snippet('int main(void) { return missing; }\n');
      const both = await Promise.all([t.compiler.compile(broken), t.compiler.compile(broken)]);
      expect(both.map((r) => r.ok)).toEqual([false, false]);
      expect(both[1]!.diagnostics).toEqual(both[0]!.diagnostics);

      const ac = new AbortController();
      const s = snippet(HELLO.replace('hello from execve', 'first one cancels'));
      const first = t.compiler.compile(s, { signal: ac.signal });
      const second = t.compiler.compile(s);
      ac.abort();
      await expect(first).rejects.toMatchObject({ name: 'AbortError' });
      const r = await second;
      expect(r.ok).toBe(true);
      expect(r.cache).not.toBe('hit');
    } finally {
      await t.cleanup();
    }
  });
});
