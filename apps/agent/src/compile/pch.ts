import { chown, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnippetFile } from '@bpfplay/protocol';
import type { CompileLimits } from './limits.js';
import { runSandboxed } from './sandbox.js';
import { makeRunDir, readSandboxOutput, removeDir, writeFileAtomic } from './storage.js';
import { sandboxIds } from './sandbox-user.js';
import { BASE_FLAGS, CLANG, PRELUDE_NAME, SANDBOX, SYSTEM_BPF_INCLUDE } from './toolchain.js';

/**
 * The precompiled prelude (vmlinux.h + bpf_helpers/tracing/core_read), built once per key
 * (BTF hash, clang version, flags, header contents) inside the same sandbox layout as every
 * compile: a PCH remembers the paths it was built from, so they must match at use.
 */
export class PrecompiledHeader {
  private building: Promise<string | undefined> | undefined;
  private rejections = 0;

  constructor(
    private readonly opts: {
      cacheDir: string;
      key: string;
      includeDir: string;
      vmlinuxDir: string;
      limits: CompileLimits;
      warn: (message: string) => void;
    },
  ) {}

  /** Path of the PCH on the host, or undefined when it cannot be built (compiles go cold). */
  get(): Promise<string | undefined> {
    this.building ??= this.build().catch((e: Error) => {
      this.opts.warn(`cannot build the precompiled header (${e.message}); compiles will not use it`);
      return undefined;
    });
    return this.building;
  }

  /**
   * clang refused the PCH (it said so in a compile): the next get() builds a fresh one over it.
   * A PCH refused three times is given up on for this process, so a systematic problem costs a
   * warning, not a rebuild per compile.
   */
  invalidate(): void {
    this.rejections++;
    this.building =
      this.rejections >= 3
        ? Promise.resolve(undefined)
        : this.build(true).catch((e: Error) => {
            this.opts.warn(`cannot rebuild the precompiled header (${e.message}); compiles will not use it`);
            return undefined;
          });
  }

  private async build(replace = false): Promise<string | undefined> {
    const { cacheDir, key, includeDir, vmlinuxDir, limits, warn } = this.opts;
    const target = join(cacheDir, 'pch', `${key}.pch`);
    if (!replace && (await isFile(target))) return target;
    const out = await makeRunDir('writable');
    try {
      const exit = await runSandboxed({
        argv: [
          CLANG,
          ...BASE_FLAGS,
          '-x',
          'c-header',
          `${SANDBOX.include}/${PRELUDE_NAME}`,
          '-o',
          `${SANDBOX.out}/prelude.pch`,
        ],
        mounts: [
          { host: includeDir, sandbox: SANDBOX.include },
          { host: vmlinuxDir, sandbox: SANDBOX.gen },
          { host: out, sandbox: SANDBOX.out, writable: true },
        ],
        cwd: '/',
        limits,
      });
      if (exit.code !== 0) {
        warn(
          `building the precompiled header failed (exit ${exit.code ?? exit.signal}); compiles will not use it:\n${exit.stderr}`,
        );
        return undefined;
      }
      // Read like any sandbox output (storage.ts): the tool owned the folder it wrote into.
      const built = await readSandboxOutput(out, 'prelude.pch', limits.fileSizeBytes);
      // Kept 0640 root:<sandbox group>: the sandbox reads it through its mount, nobody else at all.
      const { gid } = sandboxIds();
      try {
        await mkdir(join(cacheDir, 'pch'), { recursive: true, mode: 0o700 });
        await writeFileAtomic(target, built, 0o640);
        await chown(target, 0, gid);
        return target;
      } catch (e) {
        // Keep it in a private folder for this process; a full cache still gets the speed-up.
        const keep = await mkdtemp(join(tmpdir(), 'bpfplay-pch-'));
        await writeFile(join(keep, 'prelude.pch'), built, { mode: 0o640 });
        await chown(join(keep, 'prelude.pch'), 0, gid);
        warn(`cannot store the precompiled header under ${cacheDir} (${(e as Error).message}); keeping it in ${keep}`);
        return join(keep, 'prelude.pch');
      }
    } finally {
      await removeDir(out);
    }
  }
}

/**
 * Whether the PCH may stand in for the main file's first lines. With the PCH, the prelude is
 * processed before anything in the snippet, so it is used only when that is what the source
 * itself would do:
 *  - the first directive of the main file is #include "vmlinux.h" (programs built on
 *    <linux/bpf.h> would break with vmlinux.h forced in: both define the UAPI types);
 *  - no snippet file is itself named vmlinux.h (it would be the one a cold compile includes);
 *  - no snippet file #defines or #undefs a macro the prelude's headers test or define (e.g.
 *    BPF_NO_PRESERVE_ACCESS_INDEX, __always_inline), since that would have changed them.
 * Everything else (a program that includes fewer of the prelude's headers) behaves the same,
 * except that the prelude's macros are visible even if the program did not include their header.
 */
export function canUsePch(files: readonly SnippetFile[], main: string, preludeMacros: ReadonlySet<string>): boolean {
  if (files.some((f) => f.name === 'vmlinux.h')) return false;
  const mainFile = files.find((f) => f.name === main);
  if (!mainFile) return false;
  const first = firstDirective(mainFile.content);
  if (first === undefined || !/^#\s*include\s*(?:"vmlinux\.h"|<vmlinux\.h>)\s*$/.test(first)) return false;
  for (const f of files) {
    for (const m of stripComments(f.content).matchAll(/^[ \t]*#[ \t]*(?:define|undef)[ \t]+([A-Za-z_]\w*)/gm)) {
      if (preludeMacros.has(m[1]!)) return false;
    }
  }
  return true;
}

/** Macro names the prelude's headers define or test, read from their text. */
export async function preludeMacros(includeDir: string, vmlinuxPath: string): Promise<Set<string>> {
  const files = [
    vmlinuxPath,
    join(includeDir, PRELUDE_NAME),
    join(includeDir, 'bpf', 'bpf_helpers.h'),
    join(includeDir, 'bpfplay.h'),
    join(SYSTEM_BPF_INCLUDE, 'bpf_helpers.h'),
    join(SYSTEM_BPF_INCLUDE, 'bpf_helper_defs.h'),
    join(SYSTEM_BPF_INCLUDE, 'bpf_tracing.h'),
    join(SYSTEM_BPF_INCLUDE, 'bpf_core_read.h'),
  ];
  const names = new Set<string>();
  for (const file of files) {
    const text = stripComments(await readFile(file, 'utf8'));
    for (const m of text.matchAll(/^[ \t]*#[ \t]*(?:define|undef|ifdef|ifndef)[ \t]+([A-Za-z_]\w*)/gm))
      names.add(m[1]!);
    for (const line of text.matchAll(/^[ \t]*#[ \t]*(?:if|elif)\b(.*)$/gm)) {
      for (const id of line[1]!.matchAll(/[A-Za-z_]\w*/g)) if (id[0] !== 'defined') names.add(id[0]);
    }
  }
  return names;
}

/** First preprocessor directive or code line, comments and blank lines skipped. */
function firstDirective(source: string): string | undefined {
  for (const line of stripComments(source).split('\n')) {
    const t = line.trim();
    if (t !== '') return t;
  }
  return undefined;
}

/** Drops comments and joins backslash-continued lines; string literals are left alone. */
function stripComments(source: string): string {
  let out = '';
  const s = source.replace(/\\\r?\n/g, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      const start = i;
      for (i++; i < s.length && s[i] !== c && s[i] !== '\n'; i++) if (s[i] === '\\') i++;
      out += s.slice(start, i + 1);
    } else if (c === '/' && s[i + 1] === '/') {
      while (i < s.length && s[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      const body = s.slice(i, end < 0 ? s.length : end + 2);
      out += ' ' + '\n'.repeat((body.match(/\n/g) ?? []).length);
      i = end < 0 ? s.length : end + 1;
    } else out += c;
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
