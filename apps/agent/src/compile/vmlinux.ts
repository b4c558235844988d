import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BPFTOOL = '/usr/sbin/bpftool';

export interface VmlinuxHeader {
  /** sha256 of the BTF file, hex. */
  btfHash: string;
  /**
   * sha256 of vmlinux.h itself: the same BTF gives another header with another bpftool (7.4+
   * adds the kernel's kfunc prototypes), so compiled work is keyed by this, not by the BTF alone.
   */
  headerHash: string;
  /** Folder holding only vmlinux.h; it is mounted read-only into the sandbox. */
  dir: string;
  path: string;
}

/**
 * vmlinux.h for this kernel, generated from its BTF with bpftool and kept under
 * `<cacheDir>/btf/<sha256 of the BTF>/bpftool-<version>/`, so it is made again only when the BTF
 * changes (a new kernel) or bpftool does (a newer one writes more, e.g. kfunc prototypes). Written to a temporary name and renamed: two agents starting together each write
 * their own file and the last rename wins with identical content, and nobody ever reads a
 * half-written header.
 */
export async function ensureVmlinuxHeader(opts: {
  cacheDir: string;
  btfPath: string;
  warn: (message: string) => void;
}): Promise<VmlinuxHeader> {
  const { btfPath, warn } = opts;
  let btf: Buffer;
  try {
    btf = await readFile(btfPath);
  } catch (e) {
    throw new Error(
      `cannot read the kernel BTF at ${btfPath} (${(e as Error).message}); ` +
        'this kernel needs CONFIG_DEBUG_INFO_BTF=y, or pass btfPath',
      { cause: e },
    );
  }
  const btfHash = createHash('sha256').update(btf).digest('hex');
  const dir = join(opts.cacheDir, 'btf', btfHash, `bpftool-${await bpftoolVersion()}`);
  const path = join(dir, 'vmlinux.h');
  const made = async (d: string) => {
    const p = join(d, 'vmlinux.h');
    return {
      btfHash,
      headerHash: createHash('sha256')
        .update(await readFile(p))
        .digest('hex'),
      dir: d,
      path: p,
    };
  };
  if (await isNonEmptyFile(path)) return made(dir);
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await generate(btfPath, dir);
    return await made(dir);
  } catch (e) {
    // A read-only or full cache must not stop compiles: generate into a private folder instead.
    // (A full disk may not even surface as ENOSPC: bpftool can exit 0 after a short write,
    // which generate() reports as an incomplete header.) If that fails too, the tool is broken.
    const fallback = await mkdtemp(join(tmpdir(), 'bpfplay-vmlinux-'));
    await chmod(fallback, 0o755); // mounted into the sandbox, where the sandbox user must read it
    await generate(btfPath, fallback);
    warn(
      `cannot write vmlinux.h under ${opts.cacheDir} (${(e as Error).message}); ` +
        `using ${fallback} for this run — fix the cache folder's permissions or free space`,
    );
    return made(fallback);
  }
}

/** `bpftool version`'s own version ("7.5.0"), made safe for a folder name. */
async function bpftoolVersion(): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(BPFTOOL, ['version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.on('error', (e) => reject(new Error(`cannot run ${BPFTOOL}: ${e.message}; install bpftool`)));
    child.on('close', () => resolve(text));
  });
  const v = /v?(\d+\.\d+\.\d+)/.exec(out)?.[1];
  return (
    v ??
    (out
      .split('\n')[0]
      ?.replace(/[^A-Za-z0-9.+-]/g, '_')
      .slice(0, 40) ||
      'unknown')
  );
}

async function generate(btfPath: string, dir: string): Promise<void> {
  const tmp = join(dir, `.vmlinux.h.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  let stderr = '';
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(BPFTOOL, ['btf', 'dump', 'file', btfPath, 'format', 'c'], {
        stdio: ['ignore', fd, 'pipe'],
      });
      child.stderr?.on('data', (b: Buffer) => {
        if (stderr.length < 4096) stderr += b.toString();
      });
      child.on('error', (e) => reject(new Error(`cannot run ${BPFTOOL}: ${e.message}; install bpftool`)));
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`bpftool could not dump ${btfPath} as C (exit ${code}): ${stderr.trim()}`);
  } catch (e) {
    closeSync(fd);
    await rm(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  const text = await readFile(tmp, 'utf8');
  if (!text.includes('#endif /* __VMLINUX_H__ */')) {
    await rm(tmp, { force: true });
    throw new Error(`bpftool wrote an incomplete vmlinux.h from ${btfPath} (${text.length} bytes)`);
  }
  await rename(tmp, join(dir, 'vmlinux.h'));
}

async function isNonEmptyFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    return s.isFile() && s.size > 0;
  } catch {
    return false;
  }
}
