import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClang } from '../../src/compile/clang.js';
import { parseDiagnostics } from '../../src/compile/diagnostics.js';
import { resolveLimits } from '../../src/compile/limits.js';
import { DEFAULT_INCLUDE_DIR } from '../../src/compile/toolchain.js';
import { ensureVmlinuxHeader } from '../../src/compile/vmlinux.js';
import { COMPILE_TIMEOUT, snippet, useTestCompiler } from './helpers.js';
import { asJson, goldenCases } from './golden-cases.js';

/**
 * Golden files: each folder under golden/diagnostics holds a snippet (*.c, *.h), clang.txt
 * (what clang-19 really printed for it in the sandbox) and expected.json (what the user gets).
 * `npx vitest run -u test/compile/diagnostics.test.ts` regenerates both from the real compiler;
 * review the diff before committing.
 */
const { dir: GOLDEN, cases, filesOf } = goldenCases('diagnostics');

describe('parsing clang diagnostics (golden)', () => {
  it.each(cases)('%s', async (name) => {
    const parsed = parseDiagnostics(readFileSync(join(GOLDEN, name, 'clang.txt'), 'utf8'));
    await expect(asJson(parsed)).toMatchFileSnapshot(join(GOLDEN, name, 'expected.json'));
  });
});

describe('the goldens are what clang prints today', { timeout: COMPILE_TIMEOUT }, () => {
  const t = useTestCompiler();

  it.each(cases)('%s', async (name) => {
    const files = filesOf(name);
    const vmlinux = await ensureVmlinuxHeader({
      cacheDir: t.cacheDir,
      btfPath: '/sys/kernel/btf/vmlinux',
      warn: () => {},
    });
    const { exit } = await runClang({
      files,
      main: 'prog.bpf.c',
      pchPath: undefined,
      includeDir: DEFAULT_INCLUDE_DIR,
      vmlinuxDir: vmlinux.dir,
      limits: resolveLimits(),
    });
    await expect(exit.stderr).toMatchFileSnapshot(join(GOLDEN, name, 'clang.txt'));
    await expect(asJson(parseDiagnostics(exit.stderr))).toMatchFileSnapshot(join(GOLDEN, name, 'expected.json'));
    // And through the public API (which may use the PCH and the cache) the user sees the same.
    const r = await t.compiler.compile({ files, main: 'prog.bpf.c' });
    expect(r.diagnostics).toEqual(JSON.parse(readFileSync(join(GOLDEN, name, 'expected.json'), 'utf8')));
  });
});

describe('diagnostics in headers the user did not write', { timeout: COMPILE_TIMEOUT }, () => {
  const t = useTestCompiler();

  it('a clash with vmlinux.h names <bpfplay>/vmlinux.h and its line, with PCH and without', async () => {
    for (const first of ['#include "vmlinux.h"', '/* cold */ int first_decl;\n#include "vmlinux.h"']) {
      const r = await t.compiler.compile(snippet(`${first}\nstruct task_struct { int mine; };\n`));
      expect(r.ok).toBe(false);
      const i = r.diagnostics.findIndex((d) => d.message === "redefinition of 'task_struct'");
      expect(i, JSON.stringify(r.diagnostics)).toBeGreaterThanOrEqual(0);
      expect(r.diagnostics[i]).toMatchObject({ file: 'prog.bpf.c', severity: 'error' });
      const note = r.diagnostics[i + 1]!;
      expect(note).toMatchObject({
        file: '<bpfplay>/vmlinux.h',
        severity: 'note',
        message: 'previous definition is here',
      });
      expect(note.line).toBeGreaterThan(0);
      expect(r.output).toContain('<bpfplay>/vmlinux.h:');
      expect(r.output).not.toMatch(/\/bpfplay\/gen|\/src\//);
    }
  });

  it('a driver error without a place keeps file "" and line 0', () => {
    expect(
      parseDiagnostics("clang-19: error: no such file or directory: 'x.c'\nclang-19: error: no input files\n"),
    ).toEqual([
      { file: '', line: 0, col: 0, severity: 'error', message: "no such file or directory: 'x.c'" },
      { file: '', line: 0, col: 0, severity: 'error', message: 'no input files' },
    ]);
  });

  it('source excerpt lines that look like diagnostics are not diagnostics', () => {
    const text = [
      'prog.bpf.c:3:1: error: unknown type name "x"',
      '    3 | a.c:1:2: error: fake',
      '      | ^',
      '1 error generated.',
    ].join('\n');
    expect(parseDiagnostics(text)).toHaveLength(1);
  });
});
