import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ldCacheLookup, parseLdCache, readLdCache } from '../../src/attach/ld-cache.js';
import { isLibraryName, resolveTargetFile, SYSTEM_PATH } from '../../src/attach/target-file.js';

/** A cache file in glibc's "1.1" format with the given (name, path, flags) entries, in order. */
function ldCacheBytes(entries: [string, string, number][]): Buffer {
  const header = Buffer.alloc(48);
  header.write('glibc-ld.so.cache1.1', 0, 'latin1');
  header.writeUInt32LE(entries.length, 20);
  const table = Buffer.alloc(entries.length * 24);
  let strings = '';
  const base = 48 + table.length;
  entries.forEach(([name, path, flags], i) => {
    table.writeInt32LE(flags, i * 24);
    table.writeUInt32LE(base + Buffer.byteLength(strings), i * 24 + 4);
    strings += `${name}\0`;
    table.writeUInt32LE(base + Buffer.byteLength(strings), i * 24 + 8);
    strings += `${path}\0`;
  });
  header.writeUInt32LE(Buffer.byteLength(strings), 24);
  return Buffer.concat([header, table, Buffer.from(strings)]);
}

describe('which file a uprobe or USDT section names', () => {
  it('reads the loader cache: the first entry for this ABI wins, other ABIs are skipped', () => {
    const entries = parseLdCache(
      ldCacheBytes([
        ['libz.so.1', '/lib/i386/libz.so.1', 0x0003], // 32-bit x86: no ABI bits
        ['libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1', 0x0303],
        ['libz.so.1', '/usr/local/lib/libz.so.1', 0x0303],
      ]),
    );
    expect(entries).toHaveLength(3);
    expect(ldCacheLookup('libz.so.1', entries, 'x64')).toBe('/lib/x86_64-linux-gnu/libz.so.1');
    expect(ldCacheLookup('libz.so.1', entries, 'arm64')).toBeUndefined();
    expect(parseLdCache(Buffer.from('ld.so-1.7.0 old format'))).toEqual([]);
  });

  it('resolves libc.so.6 through /etc/ld.so.cache, as the loader does, to the file processes map', () => {
    const r = resolveTargetFile('libc.so.6');
    expect(r.ok && r.file.via).toBe('ld.so.cache');
    const loader = /libc\.so\.6 \(libc6,x86-64\) => (\S+)/.exec(execFileSync('ldconfig', ['-p']).toString())?.[1];
    expect(loader, 'ldconfig -p lists libc.so.6').toBeDefined();
    expect(r.ok && r.file.realPath).toBe(realpathSync(loader!));
  });

  it('prefers the loader cache over the library folders, and uses the folders when the cache has nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-ldcache-'));
    const lib = join(dir, 'libc.so.6');
    writeFileSync(lib, 'not really a library');
    const ldCache = parseLdCache(ldCacheBytes([['libc.so.6', lib, 0x0303]]));
    const viaCache = resolveTargetFile('libc.so.6', { ldCache });
    expect(viaCache).toMatchObject({ ok: true, file: { via: 'ld.so.cache', path: lib, realPath: realpathSync(lib) } });
    const viaFolders = resolveTargetFile('libc.so.6', { ldCache: [] });
    expect(viaFolders.ok && viaFolders.file.via).toBe('library folder');
    expect(viaFolders.ok && viaFolders.file.realPath).toBe(realpathSync('/usr/lib/x86_64-linux-gnu/libc.so.6'));
  });

  it('finds commands on PATH, then /usr/bin and /usr/sbin, never through a relative PATH entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-path-'));
    symlinkSync('/usr/bin/bash', join(dir, 'bash'));
    const r = resolveTargetFile('bash', { path: `.:relative:${dir}` });
    expect(r).toMatchObject({ ok: true, file: { via: 'PATH', path: join(dir, 'bash'), realPath: '/usr/bin/bash' } });
    expect(resolveTargetFile('bash', { path: '' })).toMatchObject({ ok: true, file: { path: '/usr/bin/bash' } });
    expect(resolveTargetFile('no-such-command-here', { path: '' })).toMatchObject({ ok: false });
  });

  it("looks commands up on the system's PATH, never the agent's (a pyenv shim must not decide the file)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-shim-'));
    writeFileSync(join(dir, 'bash'), '#!/bin/sh\nexec /usr/bin/bash "$@"\n', { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved}`;
    try {
      expect(resolveTargetFile('bash')).toMatchObject({
        ok: true,
        file: { via: 'PATH', realPath: '/usr/bin/bash' },
      });
    } finally {
      process.env.PATH = saved;
    }
    expect(SYSTEM_PATH.split(':').every((d) => d.startsWith('/') && !d.includes('home'))).toBe(true);
  });

  it('refuses relative paths and names nothing matches, saying where it looked', () => {
    expect(resolveTargetFile('bin/bash')).toMatchObject({ ok: false, reason: expect.stringMatching(/relative path/) });
    expect(resolveTargetFile('')).toMatchObject({ ok: false });
    const r = resolveTargetFile('libnothing.so.42', { ldCache: readLdCache() });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/ld\.so\.cache.*\/usr\/lib/) });
    expect(resolveTargetFile('/no/such/file')).toMatchObject({ ok: false });
  });

  it('tells libraries from commands the way libbpf does', () => {
    expect(['libc.so.6', 'libssl.so', 'libfoo.so.1.2'].map(isLibraryName)).toEqual([true, true, true]);
    expect(['bash', 'python3', 'so.called'].map(isLibraryName)).toEqual([false, false, false]);
  });
});
