import { describe, expect, it } from 'vitest';
import type { StackProfile } from '@bpfplay/protocol';
import { flameRects, flameTree, functionTable } from '../src/state/flame';

const profile: StackProfile = {
  name: 'counts',
  stackMap: 'stackmap',
  unit: 'count',
  samples: [
    { frames: ['dd', 'do_syscall_64+0x82', 'ksys_read+0x6b', 'vfs_read+0x9a'], value: 6 },
    { frames: ['dd', 'do_syscall_64+0x82', 'ksys_write+0x6b'], value: 3 },
    { frames: ['sh', 'readline+0x1c (bash)'], value: 1 },
  ],
};

describe('flame graph of a stack profile', () => {
  it('merges samples into a tree, root first, widest child first', () => {
    const t = flameTree(profile);
    expect(t.total).toBe(10);
    expect(t.children.map((c) => [c.name, c.total])).toEqual([
      ['dd', 9],
      ['sh', 1],
    ]);
    const sys = t.children[0]!.children[0]!;
    expect(sys.children.map((c) => [c.name, c.total, c.self])).toEqual([
      ['ksys_read+0x6b', 6, 0],
      ['ksys_write+0x6b', 3, 3],
    ]);
  });

  it('lays out rectangles as fractions of the focused node, children side by side', () => {
    const t = flameTree(profile);
    const rects = flameRects(t);
    const at = (name: string) => rects.find((r) => r.name === name)!;
    expect(at('all')).toMatchObject({ depth: 0, x: 0, width: 1 });
    expect(at('sh')).toMatchObject({ depth: 1, x: 0.9, width: 0.1 });
    expect(at('vfs_read+0x9a')).toMatchObject({ depth: 4, x: 0, width: 0.6 });
    const zoomed = flameRects(t.children[0]!);
    expect(zoomed.find((r) => r.name === 'ksys_write+0x6b')).toMatchObject({ x: 6 / 9, width: 3 / 9 });
  });

  it('tables each function by self and total weight', () => {
    const rows = functionTable(profile);
    expect(rows[0]).toEqual({ name: 'vfs_read+0x9a', self: 6, total: 6 });
    expect(rows.find((r) => r.name === 'do_syscall_64+0x82')).toEqual({
      name: 'do_syscall_64+0x82',
      self: 0,
      total: 9,
    });
  });
});
