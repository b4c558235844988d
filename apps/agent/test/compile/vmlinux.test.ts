import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureVmlinuxHeader } from '../../src/compile/vmlinux.js';
import { COMPILE_TIMEOUT, HELLO, snippet, tempDirPerTest, testCompiler } from './helpers.js';

const BTF = '/sys/kernel/btf/vmlinux';
const btfHash = createHash('sha256').update(readFileSync(BTF)).digest('hex');
/** One folder per bpftool version: a newer bpftool writes more (kfunc prototypes) from the same BTF. */
const bpftoolDir = `bpftool-${/v(\d+\.\d+\.\d+)/.exec(execFileSync('/usr/sbin/bpftool', ['version']).toString())![1]}`;
const noWarn = (m: string) => {
  throw new Error(`unexpected warning: ${m}`);
};

describe('vmlinux.h from the kernel BTF', { timeout: COMPILE_TIMEOUT }, () => {
  const cacheDir = tempDirPerTest('bpfplay-vmlinux-test-');

  it("is generated under btf/<sha256 of the BTF>/bpftool-<version>/ and is bpftool's complete C dump", async () => {
    const dir = cacheDir();
    const h = await ensureVmlinuxHeader({ cacheDir: dir, btfPath: BTF, warn: noWarn });
    expect(h.btfHash).toBe(btfHash);
    expect(h.path).toBe(join(dir, 'btf', btfHash, bpftoolDir, 'vmlinux.h'));
    expect(h.headerHash).toBe(createHash('sha256').update(readFileSync(h.path)).digest('hex'));
    const text = readFileSync(h.path, 'utf8');
    expect(text.startsWith('#ifndef __VMLINUX_H__')).toBe(true);
    expect(text).toMatch(/struct task_struct \{/);
    expect(text.trimEnd().endsWith('#endif /* __VMLINUX_H__ */')).toBe(true);
  });

  it('is not generated again while the BTF is the same', async () => {
    const dir = cacheDir();
    const a = await ensureVmlinuxHeader({ cacheDir: dir, btfPath: BTF, warn: noWarn });
    const before = statSync(a.path);
    const b = await ensureVmlinuxHeader({ cacheDir: dir, btfPath: BTF, warn: noWarn });
    const after = statSync(b.path);
    expect(b.path).toBe(a.path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('is safe when several agents start at once on an empty cache', async () => {
    const dir = cacheDir();
    const all = await Promise.all(
      [1, 2, 3, 4].map(() => ensureVmlinuxHeader({ cacheDir: dir, btfPath: BTF, warn: noWarn })),
    );
    expect(new Set(all.map((h) => h.path)).size).toBe(1);
    expect(readFileSync(all[0]!.path, 'utf8').trimEnd().endsWith('#endif /* __VMLINUX_H__ */')).toBe(true);
    // No temporary files left next to it.
    expect(readdirSync(join(dir, 'btf', btfHash, bpftoolDir))).toEqual(['vmlinux.h']);
  });

  it('is generated anew, in its own folder, when the BTF changes', async () => {
    const dir = cacheDir();
    const t = await testCompiler({ cacheDir: dir });
    try {
      // Any ELF with BTF is a BTF source for bpftool: use a compiled object as "another kernel".
      const r = await t.compiler.compile(snippet(HELLO));
      const other = join(dir, 'other-kernel.o');
      writeFileSync(other, r.object!);
      const h = await ensureVmlinuxHeader({ cacheDir: dir, btfPath: other, warn: noWarn });
      expect(h.btfHash).not.toBe(btfHash);
      expect(h.path).toBe(join(dir, 'btf', h.btfHash, bpftoolDir, 'vmlinux.h'));
      const text = readFileSync(h.path, 'utf8');
      expect(text).toMatch(/^#ifndef __VMLINUX_H__/);
      expect(text).not.toMatch(/struct task_struct \{/);
      expect(readdirSync(join(dir, 'btf')).sort()).toEqual([btfHash, h.btfHash].sort());
    } finally {
      await t.cleanup();
    }
  });

  it('says what to do when there is no BTF', async () => {
    await expect(
      ensureVmlinuxHeader({ cacheDir: cacheDir(), btfPath: '/nonexistent/vmlinux', warn: noWarn }),
    ).rejects.toThrow(
      /cannot read the kernel BTF at \/nonexistent\/vmlinux .*CONFIG_DEBUG_INFO_BTF=y, or pass btfPath/,
    );
  });
});
