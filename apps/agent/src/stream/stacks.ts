import type { MapSnapshot, StackProfile, Value } from '@bpfplay/protocol';
import { COMM_FIELD as COMM, PID_FIELD as PID } from '@bpfplay/protocol/decoding';
import type { UserSymbols } from './usyms.js';

/**
 * Stack profiles, the way libbpf-tools' profile/offcputime/wakeuptime/stackcount print them: a map
 * keyed by a struct holding stack ids (`kern_stack_id`, `user_stack_id`, returned by
 * bpf_get_stackid) and usually the pid and command, whose value counts samples or nanoseconds; the
 * ids index a BPF_MAP_TYPE_STACK_TRACE map. Joined here into samples of frames, root first
 * (command, user frames, kernel frames), which the web app draws as a flame graph and a table and
 * the CLI prints as folded stacks. Built from the map snapshots the run already takes.
 */

const KERNEL_ID = /^(kern|kernel|k)_?stack_?id$/i;
const USER_ID = /^(user|usr|u)_?stack_?id$/i;
/** Value fields that hold what a sample weighs, in the order tools name them. */
const WEIGHT = /^(count|counts|delta|total|total_ns|ns|value|samples)$/;

type Obj = { [k: string]: Value };
const isObj = (v: Value): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface KeyShape {
  kernel?: string;
  user?: string;
  pid?: string;
  comm?: string;
}

function keyShape(key: Value): KeyShape | undefined {
  if (!isObj(key)) return undefined;
  const fields = Object.keys(key);
  const shape: KeyShape = {};
  for (const f of fields) {
    if (KERNEL_ID.test(f)) shape.kernel = f;
    else if (USER_ID.test(f)) shape.user = f;
    else if (PID.test(f) && (shape.pid === undefined || f === 'tgid')) shape.pid = f;
    else if (COMM.test(f) && typeof key[f] === 'string') shape.comm = f;
  }
  // A single `stack_id` (stackcount) is a kernel or a user stack; its frames say which.
  if (!shape.kernel && !shape.user) {
    const any = fields.find((f) => /stack_?id$/i.test(f));
    if (any) shape.kernel = any;
  }
  return shape.kernel || shape.user ? shape : undefined;
}

function weightOf(value: Value): { n: number; unit: string } | undefined {
  if (typeof value === 'number') return { n: value, unit: 'count' };
  if (!isObj(value)) return undefined;
  const named = Object.keys(value).find((k) => WEIGHT.test(k) && typeof value[k] === 'number');
  const field = named ?? Object.keys(value).find((k) => typeof value[k] === 'number');
  return field === undefined ? undefined : { n: value[field] as number, unit: field };
}

function commOf(key: Obj, value: Value, shape: KeyShape): string | undefined {
  if (shape.comm) return key[shape.comm] as string;
  if (isObj(value)) {
    const f = Object.keys(value).find((k) => COMM.test(k) && typeof value[k] === 'string');
    if (f) return value[f] as string;
  }
  return undefined;
}

const HEX = /^0x[0-9a-f]+$/i;
/** Time a snapshot may spend naming user frames (reading /proc maps and ELF symbols). */
const USER_SYMBOLS_BUDGET_MS = 150;
const EFAULT = 14;

/**
 * Every stack-count map of the snapshot joined with its stack map; empty when there is none.
 * `lookupStack` reads one stack by id (innermost frame first, kernel frames named, user frames hex):
 * the stack map's own snapshot is capped like any map's and would miss most ids of a busy profile.
 */
export function stackProfiles(
  snaps: MapSnapshot[],
  lookupStack: (stackMap: string, id: number) => string[] | undefined,
  usyms?: UserSymbols,
  budgetMs = USER_SYMBOLS_BUDGET_MS,
): StackProfile[] {
  const deadline = performance.now() + budgetMs;
  const stackMap = snaps.find((s) => s.type === 'stack_trace');
  if (!stackMap) return [];
  const cache = new Map<number, string[] | undefined>();
  const frames = {
    get(id: number): string[] | undefined {
      if (!cache.has(id)) cache.set(id, lookupStack(stackMap.name, id));
      return cache.get(id);
    },
  };

  const userStacks = new Map<string, string[]>();
  const out: StackProfile[] = [];
  for (const snap of snaps) {
    if (snap === stackMap || snap.entries.length === 0) continue;
    const shape = keyShape(snap.entries[0]!.key);
    if (!shape) continue;
    let unit = 'count';
    const bySignature = new Map<string, { frames: string[]; value: number }>();
    let missing = 0;
    for (const e of snap.entries) {
      const key = e.key;
      if (!isObj(key)) continue;
      const w = weightOf(e.value);
      if (!w) continue;
      unit = w.unit;
      const pid = shape.pid ? Number(key[shape.pid]) : undefined;
      const stack = (field: string | undefined, user: boolean): string[] => {
        if (!field) return [];
        const id = Number(key[field]);
        // -EFAULT: no stack of that kind here (a sample in user mode has no kernel stack, a kernel
        // thread no user stack). Anything else that is not in the map was lost: -EEXIST (map full).
        if (id === -EFAULT) return [];
        const f = id >= 0 ? frames.get(id) : undefined;
        if (!f) {
          missing++;
          lost = true;
          return [];
        }
        // Stack maps hold the innermost frame first; a flame graph starts at the root. A user stack
        // means something per process: named once per (pid, stack id).
        if (!user) return [...f].reverse();
        const memo = `${pid}:${id}`;
        let named = userStacks.get(memo);
        if (!named) {
          // Past the budget user frames stay addresses this time: a snapshot that takes seconds
          // delays the run's output and, during stop, may not finish before the runner is killed.
          const name = usyms && performance.now() < deadline ? usyms : undefined;
          named = [...f].reverse().map((fr) => (name && HEX.test(fr) ? (name.format(pid, BigInt(fr)) ?? fr) : fr));
          userStacks.set(memo, named);
        }
        return named;
      };
      let lost = false;
      const user = stack(shape.user, true);
      const kernel = stack(shape.kernel, shape.user === undefined);
      const comm = commOf(key, e.value, shape);
      const path = [...(comm !== undefined ? [comm] : []), ...user, ...kernel];
      if (path.length === (comm !== undefined ? 1 : 0)) path.push(lost ? '[lost stack]' : '[no stack]');
      const sig = path.join(';');
      const prev = bySignature.get(sig);
      if (prev) prev.value += w.n;
      else bySignature.set(sig, { frames: path, value: w.n });
    }
    const samples = [...bySignature.values()].sort((a, b) => b.value - a.value);
    if (!samples.length) continue;
    out.push({
      name: snap.name,
      stackMap: stackMap.name,
      unit,
      samples,
      ...(missing ? { missing } : {}),
      ...(snap.more ? { more: snap.more } : {}),
    });
  }
  return out;
}
