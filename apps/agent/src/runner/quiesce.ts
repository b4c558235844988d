import { libc } from '@bpfplay/libbpf';

/** membarrier(2) syscall numbers; MEMBARRIER_CMD_GLOBAL waits for an RCU grace period (synchronize_rcu). */
const SYS_MEMBARRIER: Partial<Record<string, number>> = { x64: 324, arm64: 283 };
const MEMBARRIER_CMD_GLOBAL = 1;

/**
 * Wait until no invocation of a just-detached program is still running. Destroying a link unhooks
 * the program, but a call already under way on another CPU finishes on its own time (programs run
 * under RCU); a record it submits after our last drain would be produced but never counted. One RCU
 * grace period — what MEMBARRIER_CMD_GLOBAL waits for — is enough for non-sleepable programs, which
 * are all the streaming ones. Best effort: false when the kernel refuses (e.g. nohz_full CPUs).
 */
export function waitForDetachedPrograms(): boolean {
  const nr = SYS_MEMBARRIER[process.arch];
  if (nr === undefined) return false;
  try {
    return libc.syscall(nr, 'int', MEMBARRIER_CMD_GLOBAL, 'unsigned int', 0, 'int', 0) === 0;
  } catch {
    return false;
  }
}
