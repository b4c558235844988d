/**
 * "After a run, none of its programs is left in the kernel", checked without being fooled by other
 * people: other test files and sessions on this machine may load programs with the same names
 * (handle_execve is popular). A program counts as ours only if a process of our agent (the agent
 * or one of its runner children) still holds a file descriptor to it or to a link of it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { waitNoPrograms } from '../harness/kernel.js';

function children(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/))
        if (c) out.push(Number(c));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** `root` and all its descendants, now. */
export function processTree(root: number): number[] {
  const seen = [root];
  for (let i = 0; i < seen.length; i++) for (const c of children(seen[i]!)) if (!seen.includes(c)) seen.push(c);
  return seen;
}

/** Ids of one kind (`prog_id`, `map_id`, `link_id`) the processes hold, from each fd's fdinfo. */
function heldIds(pids: number[], field: 'prog_id' | 'map_id' | 'link_id'): Set<number> {
  const re = new RegExp(`^${field}:\\s+(\\d+)$`, 'm');
  const ids = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = re.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m) ids.add(Number(m[1]));
      } catch {
        // closed meanwhile: exactly what we hope for
      }
    }
  }
  return ids;
}

/** Program ids the processes hold through program or link fds (fdinfo's `prog_id:` line). */
export function heldProgramIds(pids: number[]): Set<number> {
  return heldIds(pids, 'prog_id');
}

/** What BPF objects a process tree holds: programs (direct or through links), maps and links. */
export function heldBpf(pids: number[]): { programs: number; maps: number; links: number } {
  return {
    programs: heldIds(pids, 'prog_id').size,
    maps: heldIds(pids, 'map_id').size,
    links: heldIds(pids, 'link_id').size,
  };
}

/** Programs named like the run's that the agent's processes still hold, as `name (id N)`. */
export async function programsLeftByAgent(names: string[], agentPid: number): Promise<string[]> {
  const left: string[] = [];
  for (const name of names) {
    const same = await waitNoPrograms(name);
    if (!same.length) continue;
    const ours = heldProgramIds(processTree(agentPid));
    for (const p of same) if (ours.has(p.id)) left.push(`${p.name ?? name} (id ${p.id})`);
  }
  return left;
}
