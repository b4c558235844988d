import { readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClang } from '../../src/compile/clang.js';
import { resolveLimits } from '../../src/compile/limits.js';
import { canUsePch } from '../../src/compile/pch.js';
import { DEFAULT_INCLUDE_DIR } from '../../src/compile/toolchain.js';
import { ensureVmlinuxHeader } from '../../src/compile/vmlinux.js';
import { COMPILE_TIMEOUT, HELLO, snippet, useTestCompiler } from './helpers.js';

const MACROS = new Set(['BPF_NO_PRESERVE_ACCESS_INDEX', '__always_inline', 'SEC']);
const use = (content: string, more: { name: string; content: string }[] = []) =>
  canUsePch([{ name: 'p.bpf.c', content }, ...more], 'p.bpf.c', MACROS);

describe('when the precompiled vmlinux.h may stand in for the first lines', () => {
  it('is used when the first directive is #include "vmlinux.h" (or <vmlinux.h>), after comments', () => {
    expect(use('#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n')).toBe(true);
    expect(use('// SPDX-License-Identifier: GPL-2.0\n/* Copyright\n * 2024 */\n\n  #  include <vmlinux.h>\n')).toBe(
      true,
    );
  });

  it('is not used for programs built on <linux/bpf.h>, or with anything before vmlinux.h', () => {
    expect(use('#include <linux/bpf.h>\n#include "vmlinux.h"\n')).toBe(false);
    expect(use('#pragma once\n#include "vmlinux.h"\n')).toBe(false);
    expect(use('int x;\n#include "vmlinux.h"\n')).toBe(false);
    expect(use('%:include "vmlinux.h"\n')).toBe(false);
    expect(use('')).toBe(false);
  });

  it('is not used when a snippet file defines a macro the prelude headers look at', () => {
    expect(use('#include "vmlinux.h"\n#define BPF_NO_PRESERVE_ACCESS_INDEX\n')).toBe(false);
    expect(use('#include "vmlinux.h"\n#include "x.h"\n', [{ name: 'x.h', content: '#undef __always_inline\n' }])).toBe(
      false,
    );
    // Mentioning one in a comment or a string does not count.
    expect(use('#include "vmlinux.h"\n// #define SEC\nconst char *s = "#define SEC";\n')).toBe(true);
  });

  it('is not used when the snippet brings its own vmlinux.h', () => {
    expect(use('#include "vmlinux.h"\n', [{ name: 'vmlinux.h', content: 'typedef int u32;\n' }])).toBe(false);
  });
});

describe('compiling with the PCH', { timeout: COMPILE_TIMEOUT }, () => {
  const t = useTestCompiler();

  it('gives byte-identical objects to a full compile', async () => {
    const s = snippet(HELLO.replace('hello from execve', 'identical bytes'));
    const withPch = await t.compiler.compile(s);
    expect(withPch.cache).toBe('pch');
    const vmlinux = await ensureVmlinuxHeader({
      cacheDir: t.cacheDir,
      btfPath: '/sys/kernel/btf/vmlinux',
      warn: () => {},
    });
    const cold = await runClang({
      files: s.files,
      main: 'prog.bpf.c',
      pchPath: undefined,
      includeDir: DEFAULT_INCLUDE_DIR,
      vmlinuxDir: vmlinux.dir,
      limits: resolveLimits(),
    });
    expect(cold.exit.code).toBe(0);
    expect(Buffer.compare(cold.object!, withPch.object!)).toBe(0);
  });

  it('reports pch, then hit for the same snippet, and cold for a <linux/bpf.h> program', async () => {
    const s = snippet(HELLO.replace('hello from execve', 'cache kinds'));
    expect((await t.compiler.compile(s)).cache).toBe('pch');
    const again = await t.compiler.compile(s);
    expect(again.cache).toBe('hit');
    expect(again.ok).toBe(true);
    const linux = await t.compiler.compile(
      snippet(
        '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int f(struct xdp_md *c) { return XDP_PASS; }\n',
      ),
    );
    expect(linux.cache).toBe('cold');
    expect(linux.ok).toBe(true);
  });

  it('survives a corrupted PCH: that compile goes cold, the next one rebuilds it', async () => {
    const dir = join(t.cacheDir, 'pch');
    const [pchFile] = readdirSync(dir).filter((f) => f.endsWith('.pch'));
    expect(pchFile).toBeDefined();
    truncateSync(join(dir, pchFile!), 4096);
    const r = await t.compiler.compile(snippet(HELLO.replace('hello from execve', 'after corruption')));
    expect(r.ok).toBe(true);
    expect(r.cache).toBe('cold');
    expect(t.warnings.join('\n')).toMatch(/clang refused the precompiled header/);
    const next = await t.compiler.compile(snippet(HELLO.replace('hello from execve', 'rebuilt')));
    expect(next.cache).toBe('pch');
  });
});
