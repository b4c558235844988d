import { readFileSync } from 'node:fs';

/**
 * Waits for a state the agent or its processes reach by themselves (a process reaped, a clang
 * waiting on stdin, a run started); fails after `timeoutMs` saying what did not happen. Polling
 * with a deadline rather than sleeping a fixed time, so a fast machine is not raced and a slow one waits.
 */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Alive and not a zombie (a killed process stays visible to kill(0) until it is reaped). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
