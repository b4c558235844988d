import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chown, lstat, mkdir, mkdtemp, open, readdir, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sandboxIds } from './sandbox-user.js';

/**
 * Write-then-rename, so a reader (another agent, a crash halfway) never sees half a file. Mode 0600
 * unless told: what the agent keeps (compiled objects of other people's snippets) is nobody else's.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { mode });
    await chmod(tmp, mode);
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
 * The run root belongs to root alone (0700): nothing else on the machine can reach the run folders
 * under it, let alone rename or swap them. Its name is predictable (it carries the pid), so a folder
 * already there — made by someone else in the shared temp folder to catch our files — is refused
 * rather than used.
 */
async function ensureRunRoot(): Promise<string> {
  const root = runRoot();
  await mkdir(root, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const st = await lstat(root);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o077) !== 0) {
    throw new Error(
      `${root} is not the agent's own folder (${st.isSymbolicLink() ? 'a symlink' : `owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)}`}); ` +
        'someone else made it: remove it and start the agent again',
    );
  }
  return root;
}

/**
 * A fresh folder for one sandboxed run, under the root-only run root (never the cache: a full cache
 * must not stop compiles). `readable` ones (the snippet) belong to root with the sandbox user's group
 * (02750; files inherit the group and are written 0640): the sandbox reads them through its
 * read-only mount, nobody else reads them at all. `writable` ones (the output) belong to the sandbox
 * user alone (0700); what the agent takes out of them it reads with readSandboxOutput.
 */
export async function makeRunDir(kind: 'readable' | 'writable'): Promise<string> {
  const root = await ensureRunRoot();
  const dir = await mkdtemp(join(root, kind === 'readable' ? 'src-' : 'out-'));
  const { uid, gid } = sandboxIds();
  if (kind === 'readable') {
    await chown(dir, 0, gid);
    await chmod(dir, 0o2750);
  } else {
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
  }
  return dir;
}

/** Mode for the snippet's files in a `readable` run folder: the owner writes, the sandbox group reads. */
export const RUN_FILE_MODE = 0o640;

/**
 * A file the sandboxed tool wrote, read without trusting the folder it is in: the tool owns that
 * folder and could have left a symlink (to /etc/shadow), a FIFO (to block us), a hard link or a file
 * larger than it was allowed to write. Opened with O_NOFOLLOW and O_NONBLOCK, then checked on the
 * open descriptor: a regular file, one link, at most `maxBytes`.
 */
export async function readSandboxOutput(dir: string, name: string, maxBytes: number): Promise<Buffer> {
  const path = join(dir, name);
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (e: NodeJS.ErrnoException) => {
      throw new Error(
        e.code === 'ELOOP' ? `${name} from the sandbox is a symlink; refused` : `cannot open ${name}: ${e.message}`,
      );
    },
  );
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${name} from the sandbox is not a regular file; refused`);
    if (st.nlink !== 1) throw new Error(`${name} from the sandbox has ${st.nlink} links; refused`);
    if (st.size > maxBytes) throw new Error(`${name} from the sandbox is ${st.size} bytes, over ${maxBytes}; refused`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
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
