import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, readdir, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SANDBOX_UID } from './sandbox.js';

/** Write-then-rename, so a reader (another agent, a crash halfway) never sees half a file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Errors that mean "this folder cannot hold our files", as opposed to a broken tool. */
export function isStorageError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST'].includes(code ?? '');
}

/**
 * Where this process's run folders go: one parent per agent process, named by its pid, so the
 * folders of an agent that was killed (SIGKILL, power loss) can be told apart and swept by the next
 * one (sweepStaleRunDirs). Read at each call: tests point TMPDIR elsewhere.
 */
function runRoot(): string {
  return join(tmpdir(), `bpfplay-compile-${process.pid}`);
}

/**
 * A fresh folder for one sandboxed run. `readable` ones (the snippet) are 0755 so uid 65534 can
 * read them through the read-only mount; `writable` ones (the output) belong to 65534 alone.
 * Under the system temp folder, never the cache: a full cache must not stop compiles.
 */
export async function makeRunDir(kind: 'readable' | 'writable'): Promise<string> {
  const root = runRoot();
  await mkdir(root, { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(root, kind === 'readable' ? 'src-' : 'out-'));
  if (kind === 'readable') await chmod(dir, 0o755);
  else await chown(dir, SANDBOX_UID, SANDBOX_UID);
  return dir;
}

/** Removes the run folders of agent processes that no longer exist. */
export async function sweepStaleRunDirs(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^bpfplay-compile-(\d+)$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}
