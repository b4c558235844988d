import { describe, expect, it } from 'vitest';
import type { MapSnapshot } from '@bpfplay/protocol';
import { stackProfiles } from '../../src/stream/stacks.js';

const snap = (name: string, type: string, entries: MapSnapshot['entries']): MapSnapshot => ({
  name,
  type,
  entries,
  more: 0,
  render: 'table',
});

/** Innermost first, as a stack map stores them; user frames still addresses. */
const STACKS: Record<number, string[]> = {
  1: ['vfs_read+0x9a', 'ksys_read+0x6b', 'do_syscall_64+0x82'],
  2: ['0x401010', '0x401200'],
};
const lookup = (_map: string, id: number) => STACKS[id];

describe('stack profiles (libbpf-tools profile/offcputime maps joined with their stack map)', () => {
  it('joins counts keyed by {pid, user_stack_id, kern_stack_id, name}: command, user, then kernel frames, root first', () => {
    const counts = snap('counts', 'hash', [
      { key: { pid: 7, user_stack_id: 2, kern_stack_id: 1, name: 'dd' }, value: 5 },
      { key: { pid: 7, user_stack_id: 2, kern_stack_id: -14, name: 'dd' }, value: 3 },
    ]);
    const users = { format: (pid: number | undefined, addr: bigint) => `f${addr.toString(16)}@${pid}` };
    const [p] = stackProfiles([snap('stackmap', 'stack_trace', []), counts], lookup, users as never);
    expect(p).toEqual({
      name: 'counts',
      stackMap: 'stackmap',
      unit: 'count',
      samples: [
        { frames: ['dd', 'f401200@7', 'f401010@7', 'do_syscall_64+0x82', 'ksys_read+0x6b', 'vfs_read+0x9a'], value: 5 },
        { frames: ['dd', 'f401200@7', 'f401010@7'], value: 3 },
      ],
    });
  });

  it('weighs offcputime-style values by their delta, merges identical paths, and counts lost stacks', () => {
    const counts = snap('info', 'hash', [
      { key: { pid: 1, tgid: 1, user_stack_id: -17, kern_stack_id: 1 }, value: { delta: 100, comm: 'sh' } },
      { key: { pid: 2, tgid: 2, user_stack_id: -17, kern_stack_id: 1 }, value: { delta: 50, comm: 'sh' } },
      { key: { pid: 3, tgid: 3, user_stack_id: 9, kern_stack_id: -17 }, value: { delta: 1, comm: 'sh' } },
    ]);
    const [p] = stackProfiles([counts, snap('stacks', 'stack_trace', [])], lookup);
    expect(p?.unit).toBe('delta');
    expect(p?.samples).toEqual([
      { frames: ['sh', 'do_syscall_64+0x82', 'ksys_read+0x6b', 'vfs_read+0x9a'], value: 150 },
      { frames: ['sh', '[lost stack]'], value: 1 },
    ]);
    expect(p?.missing).toBe(4);
  });

  it('finds nothing without a stack map or without stack ids in a key', () => {
    const counts = snap('counts', 'hash', [{ key: { pid: 1 }, value: 1 }]);
    expect(stackProfiles([counts], lookup)).toEqual([]);
    expect(stackProfiles([counts, snap('s', 'stack_trace', [])], lookup)).toEqual([]);
  });
});
