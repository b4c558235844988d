import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentLimits } from '../limits.js';
import { type CompileLimits, DEFAULT_COMPILE_LIMITS } from '../compile/limits.js';
import { makeRunDir, RUN_FILE_MODE } from '../compile/storage.js';
import type { SandboxMount } from '../compile/sandbox.js';
import { BASE_FLAGS, CLANG, SANDBOX } from '../compile/toolchain.js';

export const CLANGD = '/usr/bin/clangd-19';
/** Nice value of a clangd nobody is using yet (the spare); a session's runs at 0. */
export const SPARE_NICE = 10;
/**
 * clang-19's own resource folder (stddef.h, stdarg.h...). clangd finds it from /proc/self/exe,
 * which the sandbox does not have, and would fall back to a relative path that resolves nowhere.
 */
export const RESOURCE_DIR = '/usr/lib/llvm-19/lib/clang/19';

/** Most items of a completion list that is not a struct's members (the editor asks again as the user types). */
export const MAX_GLOBAL_ITEMS = 150;

/** Where clangd's configuration is mounted in the sandbox (compile_commands.json, clangd/config.yaml). */
export const LSP_CONFIG_DIR = '/bpfplay/lsp';

/**
 * The main file's name inside clangd, whatever the user called it. clangd keeps a parsed preamble
 * (vmlinux.h + libbpf's headers: ~1.5–2.5 s of CPU here) per file path, so a clangd started ahead
 * of time can only have it ready for a name known in advance. Snippet names cannot start with a
 * dot (protocol FileName), so this never collides with a user's file; lsp/documents.ts maps it
 * back to the real name in everything the user sees.
 */
export const MAIN_URI_PATH = `${SANDBOX.src}/.main.bpf.c`;

/** What the spare clangd parses while it waits: the common prelude of a libbpf program. */
export const WARM_TEXT = [
  '#include "vmlinux.h"',
  '#include <bpf/bpf_helpers.h>',
  '#include <bpf/bpf_tracing.h>',
  '#include <bpf/bpf_core_read.h>',
  '',
].join('\n');

/**
 * clangd's settings. Diagnostics are clang's (the same -W flags as the compile), without clangd's
 * own include-cleaner (it flags vmlinux.h as "not used directly") and clang-tidy. Headers of the
 * snippet are parsed with vmlinux.h first, as they are when the main file includes them after it:
 * alone, `struct event { pid_t pid; }` would be an error only in the editor.
 */
const CONFIG_YAML = `Diagnostics:
  UnusedIncludes: None
  MissingIncludes: None
  ClangTidy:
    Remove: '*'
Index:
  Background: Skip
  StandardLibrary: No
Completion:
  AllScopes: No
InlayHints:
  Enabled: No
---
If:
  PathMatch: '${SANDBOX.src}/.*\\.h'
CompileFlags:
  Add: ['-include', 'vmlinux.h']
`;

/**
 * clangd's command line. One worker thread (-j 1) bounds the CPU one clangd can take at once;
 * no background index (clangd indexes what each file includes when it parses it; a disk index
 * shared between sessions would let one session's code show up in another's completions);
 * `--completion-parse=always` answers member completion from the parse instead of a word list
 * while the preamble is being built; no header insertion (an inserted <linux/...> header
 * conflicts with vmlinux.h).
 */
export function clangdArgv(): string[] {
  return [
    // env and nice run inside the sandbox, after setpriv and prlimit: clangd reads its config
    // folder from XDG_CONFIG_HOME, and glibc's per-thread arenas would otherwise reserve 64 MB of
    // address space each (RLIMIT_AS counts reservations).
    '/usr/bin/env',
    `XDG_CONFIG_HOME=${LSP_CONFIG_DIR}`,
    'MALLOC_ARENA_MAX=2',
    // Started low (a spare parses while nobody waits); pool.ts raises a session's to 0.
    '/usr/bin/nice',
    '-n',
    String(SPARE_NICE),
    CLANGD,
    `--compile-commands-dir=${LSP_CONFIG_DIR}`,
    `--resource-dir=${RESOURCE_DIR}`,
    '-j=1',
    '--background-index=false',
    '--clang-tidy=false',
    '--header-insertion=never',
    '--header-insertion-decorators=false',
    '--completion-parse=always',
    '--pch-storage=memory',
    '--malloc-trim',
    // A struct's members must all come (task_struct has ~300); other lists are cut to
    // MAX_GLOBAL_ITEMS by the agent (channel.ts), so a one-letter prefix does not ship thousands.
    '--limit-results=1000',
    '--log=error',
  ];
}

/** The compile's flags for the main file; other files get them by clangd's interpolation (-x c-header for .h). */
export function compileCommands(): object[] {
  return [
    {
      directory: SANDBOX.src,
      file: MAIN_URI_PATH,
      arguments: [CLANG, ...BASE_FLAGS, '-x', 'c', '-c', MAIN_URI_PATH, '-o', '/dev/null'],
    },
  ];
}

/** The folder with clangd's configuration, written once per agent. */
export async function writeLspConfig(): Promise<string> {
  const dir = await makeRunDir('readable');
  // The run folder is the sandbox group's to read (setgid): so is what is made inside it.
  await writeFile(join(dir, 'compile_commands.json'), JSON.stringify(compileCommands(), null, 1), {
    mode: RUN_FILE_MODE,
  });
  await mkdir(join(dir, 'clangd'), { mode: 0o750 });
  await writeFile(join(dir, 'clangd', 'config.yaml'), CONFIG_YAML, { mode: RUN_FILE_MODE });
  return dir;
}

/** The compile sandbox's mounts with the snippet folder of this clangd and the configuration. */
export function clangdMounts(o: {
  srcDir: string;
  configDir: string;
  includeDir: string;
  vmlinuxDir: string;
}): SandboxMount[] {
  return [
    { host: o.srcDir, sandbox: SANDBOX.src },
    { host: o.includeDir, sandbox: SANDBOX.include },
    { host: o.vmlinuxDir, sandbox: SANDBOX.gen },
    { host: o.configDir, sandbox: LSP_CONFIG_DIR },
  ];
}

/**
 * The sandbox's rlimits for a clangd: the compile's, except that CPU is counted over the process's
 * whole life (it is long-lived) and memory is clangd's own cap. Wall time does not apply.
 */
export function clangdSandboxLimits(l: AgentLimits): CompileLimits {
  return {
    ...DEFAULT_COMPILE_LIMITS,
    cpuSeconds: l.lspCpuSeconds,
    addressSpaceBytes: l.lspAddressSpaceBytes,
    // clangd writes nothing but its preamble, and that stays in memory (--pch-storage=memory).
    fileSizeBytes: 16 * 1024 * 1024,
    tmpfsBytes: 16 * 1024 * 1024,
    outputBytes: 16 * 1024,
  };
}
