import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

import { AGENT_ROOT } from '../config.js';

const run = promisify(execFile);

export const CLANG = '/usr/bin/clang-19';
export const OBJDUMP = '/usr/bin/llvm-objdump-19';
/** libbpf's headers; the PCH and the object cache depend on their content too. */
export const SYSTEM_BPF_INCLUDE = '/usr/include/bpf';

/**
 * Where things appear inside the sandbox. Fixed paths matter: the PCH records the paths of the
 * headers it was built from, and DWARF records source paths, so the same snippet gives the same
 * object bytes whatever temporary folder it was written to on the host.
 */
export const SANDBOX = {
  src: '/src',
  include: '/bpfplay/include',
  gen: '/bpfplay/gen',
  pch: '/bpfplay/pch/prelude.pch',
  out: '/out',
} as const;

/** Our include folder (the printk shim and bpfplay.h) in apps/agent; AGENT_ROOT works from src/ and the dist/ bundle. */
export const DEFAULT_INCLUDE_DIR = join(AGENT_ROOT, 'include');

/** The header the PCH is built from; it lives in our include folder so its path is stable. */
export const PRELUDE_NAME = 'bpfplay_prelude.h';

/**
 * Flags for every compile (and for the PCH, which must match them). The include order is ours
 * (the shim bpf/bpf_helpers.h must win over libbpf's), then vmlinux.h's folder, then clang's
 * defaults ending in /usr/include; the multiarch folder goes last so programs written against
 * <linux/bpf.h> find <asm/types.h> as they do with libbpf-tools' Makefile.
 */
export const BASE_FLAGS: readonly string[] = [
  '-g',
  '-O2',
  '-target',
  'bpf',
  '-D__TARGET_ARCH_x86',
  '-Wall',
  // Diagnostics made for parsing: no colour, no line wrapping, the -W flag named, clang's
  // default caret lines kept for the human-readable `output`.
  '-fno-color-diagnostics',
  '-fmessage-length=0',
  '-fdiagnostics-show-option',
  '-ferror-limit=50',
  // A crash reproducer would be written into the sandbox's tmpfs and thrown away; skip the work.
  '-fno-crash-diagnostics',
  // The PCH is checked against the headers by content, not mtime: vmlinux.h may be regenerated
  // with identical content (another agent, a wiped cache) and the PCH stays valid.
  '-fpch-validate-input-files-content',
  `-I${SANDBOX.include}`,
  `-I${SANDBOX.gen}`,
  '-idirafter',
  '/usr/include/x86_64-linux-gnu',
];

export async function clangVersion(): Promise<string> {
  try {
    const { stdout } = await run(CLANG, ['--version']);
    return stdout.split('\n')[0]?.trim() ?? 'unknown';
  } catch (e) {
    throw new Error(`cannot run ${CLANG} (${(e as Error).message}); install clang-19`, { cause: e });
  }
}

/** sha256 over our include folder and libbpf's headers: change either, and cached work is stale. */
export async function headersHash(includeDir: string): Promise<string> {
  const h = createHash('sha256');
  for (const root of [includeDir, SYSTEM_BPF_INCLUDE]) {
    for (const file of await listFiles(root)) {
      h.update(`${root}:${relative(root, file)}\0`);
      h.update(await readFile(file));
      h.update('\0');
    }
  }
  return h.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}
