import { readFileSync } from 'node:fs';

/**
 * The user the compile sandbox runs its tools as (clang, llvm-objdump, clangd): created by
 * scripts/setup.sh (and the agent's Dockerfile) for this alone. Not `nobody`: every other process
 * running as nobody would be able to reach the sandbox's output folders and would share its
 * RLIMIT_NPROC, which counts per user across the machine.
 */
export const SANDBOX_USER = 'bpfplay-sandbox';

export interface SandboxIds {
  uid: number;
  gid: number;
}

let cached: SandboxIds | undefined;

/** The sandbox user's uid and primary gid, read from /etc/passwd once; throws with the fix when missing. */
export function sandboxIds(passwd = '/etc/passwd'): SandboxIds {
  if (cached && passwd === '/etc/passwd') return cached;
  let text = '';
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    // Reported below like a missing user.
  }
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name !== SANDBOX_USER) continue;
    const ids = { uid: Number(uid), gid: Number(gid) };
    if (!Number.isInteger(ids.uid) || ids.uid <= 0 || !Number.isInteger(ids.gid) || ids.gid <= 0) break;
    if (passwd === '/etc/passwd') cached = ids;
    return ids;
  }
  throw new Error(
    `the compile sandbox's user ${SANDBOX_USER} does not exist (or has uid 0): run scripts/setup.sh as root, which creates it ` +
      `(useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${SANDBOX_USER})`,
  );
}
