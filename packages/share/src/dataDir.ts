import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Environment variable naming the folder that holds bpfplay's server-side data (the snippet database). */
export const DATA_DIR_ENV = 'BPFPLAY_DATA_DIR';

/** The nearest folder at or above `from` whose package.json declares npm workspaces: the repo root. */
export function findRepoRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // an unreadable package.json is not the root we want; keep climbing
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Where data lives: $BPFPLAY_DATA_DIR (relative to `cwd` if relative), else `<repo>/var`. The repo
 * root is found from the working directory rather than this file's location because Next.js
 * bundles this module into `.next/`, where import.meta.url says nothing about the checkout.
 */
export function resolveDataDir(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): string {
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv) return resolve(cwd, fromEnv);
  return join(findRepoRoot(cwd) ?? cwd, 'var');
}
