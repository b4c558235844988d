import { open, realpath } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, posix } from 'node:path';
import { RESOURCE_DIR } from './layout.js';

/** vmlinux.h of a 6.18 kernel is ~3 MB; nothing a definition points into is bigger. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** Folders under /usr whose headers the sandboxed compiler (and so clangd) can include. */
const USR_ROOTS = ['/usr/include/', `${RESOURCE_DIR}/include/`];

/**
 * The text of a header a go-to-definition pointed into, for the editor's read-only view. Only
 * what the sandboxed compiler itself sees: the generated vmlinux.h and our include folder (named
 * `<bpfplay>/...`), system headers under /usr/include and clang's own. The agent runs as root and
 * reads the host's files, so the path is resolved (symlinks followed) and must still be a header
 * in one of those folders: `/usr/include/../../etc/shadow.h` or a symlink out of /usr is refused.
 */
export async function readHeader(
  path: string,
  dirs: { vmlinuxDir: string; includeDir: string },
): Promise<{ text: string } | { error: string }> {
  const refused = { error: `${path} is not a header the compiler can see` };
  if (!path.endsWith('.h') || path.includes('\0')) return refused;
  let candidates: { file: string; root: string }[];
  if (path.startsWith('<bpfplay>/')) {
    const rel = posix.normalize(path.slice('<bpfplay>/'.length));
    if (rel.startsWith('..') || rel.startsWith('/')) return refused;
    candidates = [dirs.vmlinuxDir, dirs.includeDir].map((root) => ({ file: join(root, rel), root }));
  } else {
    const abs = posix.normalize(path);
    const root = USR_ROOTS.find((r) => abs.startsWith(r));
    if (!root) return refused;
    candidates = [{ file: abs, root }];
  }
  for (const c of candidates) {
    let real: string;
    let root: string;
    try {
      real = await realpath(c.file);
      root = await realpath(c.root);
    } catch {
      continue;
    }
    if (!real.startsWith(`${root}/`) || !real.endsWith('.h')) return refused;
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
    if (!fh) continue;
    try {
      const st = await fh.stat();
      if (!st.isFile()) return refused;
      if (st.size > MAX_HEADER_BYTES) return { error: `${path} is ${st.size} bytes, more than the editor shows` };
      return { text: await fh.readFile('utf8') };
    } finally {
      await fh.close();
    }
  }
  return { error: `${path} was not found` };
}
