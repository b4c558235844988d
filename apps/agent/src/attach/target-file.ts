import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ldCacheLookup, readLdCache, type LdCacheEntry } from './ld-cache.js';

/**
 * Which file a uprobe or USDT section means. `SEC("uprobe/libc.so.6:malloc")` names a library the
 * way a program asks the dynamic loader for it; `SEC("uprobe/bash:readline")` names a command the way
 * a shell finds it. The policy checks the file this returns against the allowlist, and the runner
 * attaches to exactly this file (by its real path), so the check and the attach can never disagree
 * about which file gets the probe — libbpf is never left to search on its own.
 *
 * The search follows libbpf's (resolve_full_path) with one change: a library name is looked up in
 * /etc/ld.so.cache first, as the dynamic loader does, so the probe lands in the file processes
 * actually map. The agent's own LD_LIBRARY_PATH and PATH are not consulted: the environment the agent happened
 * to start in must not decide which file a snippet's probe modifies.
 */
export interface TargetFile {
  /** As the section wrote it: `libc.so.6`, `bash`, `/usr/bin/bash`. */
  name: string;
  /** The file found for it, absolute, as found (it may be a symlink). */
  path: string;
  /** `path` with every symlink resolved: the file the kernel puts the probe in, and what the allowlist is compared with. */
  realPath: string;
  /** How it was found, for messages. */
  via: 'absolute path' | 'ld.so.cache' | 'library folder' | 'PATH';
}

export type TargetLookup = { ok: true; file: TargetFile } | { ok: false; reason: string };

/**
 * Where a bare command name is looked up: the system folders a root shell searches (sudo's
 * secure_path), never the agent's own PATH — whatever shell started the agent (a pyenv shim for
 * python3 was found first here) must not decide which file a snippet's probe modifies.
 */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface TargetSearch {
  /** PATH for commands; default SYSTEM_PATH. */
  path?: string;
  /** The loader cache's entries; default /etc/ld.so.cache read now. */
  ldCache?: readonly LdCacheEntry[];
  arch?: string;
}

/** Folders libbpf searches for a library name after LD_LIBRARY_PATH (libbpf's arch_specific_lib_paths). */
export function libraryFolders(arch: string = process.arch): string[] {
  const triple = arch === 'x64' ? 'x86_64-linux-gnu' : arch === 'arm64' ? 'aarch64-linux-gnu' : undefined;
  return ['/usr/lib64', '/usr/lib', ...(triple ? [`/lib/${triple}`, `/usr/lib/${triple}`] : [])];
}

/** libbpf's rule: a name ending in `.so` or containing `.so.` is a library; anything else a command. */
export function isLibraryName(name: string): boolean {
  return name.endsWith('.so') || name.includes('.so.');
}

function usable(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function found(name: string, path: string, via: TargetFile['via']): TargetLookup {
  try {
    return { ok: true, file: { name, path, realPath: realpathSync(path), via } };
  } catch (e) {
    return { ok: false, reason: `${path} cannot be resolved: ${(e as Error).message}` };
  }
}

/** Resolve the file a uprobe/USDT section names; see the module comment for the order. */
export function resolveTargetFile(name: string, search: TargetSearch = {}): TargetLookup {
  if (name === '') return { ok: false, reason: 'the section names no file' };
  if (name.includes('/')) {
    if (!name.startsWith('/'))
      return {
        ok: false,
        reason: `"${name}" is a relative path, which would depend on the agent's working folder; write an absolute path or a bare name`,
      };
    return usable(name, constants.R_OK)
      ? found(name, name, 'absolute path')
      : { ok: false, reason: `${name} does not exist or is not a readable file` };
  }
  if (isLibraryName(name)) {
    const cached = ldCacheLookup(name, search.ldCache ?? readLdCache(), search.arch);
    if (cached && usable(cached, constants.R_OK)) return found(name, cached, 'ld.so.cache');
    const folders = libraryFolders(search.arch);
    for (const dir of folders) {
      const p = join(dir, name);
      if (usable(p, constants.R_OK)) return found(name, p, 'library folder');
    }
    return {
      ok: false,
      reason: `no library ${name} in /etc/ld.so.cache or in ${folders.join(', ')}`,
    };
  }
  const dirs = [...(search.path ?? SYSTEM_PATH).split(delimiter), '/usr/bin', '/usr/sbin'].filter((d) =>
    d.startsWith('/'),
  );
  for (const dir of dirs) {
    const p = join(dir, name);
    if (usable(p, constants.X_OK)) return found(name, p, 'PATH');
  }
  return { ok: false, reason: `no command ${name} in ${[...new Set(dirs)].join(':')}` };
}
