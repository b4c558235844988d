import type { StackProfile } from '@bpfplay/protocol';

/**
 * A stack profile (the agent's `maps.stacks`) as a flame graph: samples merged into a tree by frame,
 * root at the bottom, each node as wide as the samples through it. Plus the table beside it: each
 * function's self and total weight, the numbers a person compares after the picture.
 */
export interface FlameNode {
  name: string;
  /** Weight of every sample through this node. */
  total: number;
  /** Weight of samples that end here. */
  self: number;
  children: FlameNode[];
}

export function flameTree(profile: StackProfile): FlameNode {
  const root: FlameNode = { name: 'all', total: 0, self: 0, children: [] };
  for (const s of profile.samples) {
    root.total += s.value;
    let node = root;
    for (const frame of s.frames) {
      let child = node.children.find((c) => c.name === frame);
      if (!child) node.children.push((child = { name: frame, total: 0, self: 0, children: [] }));
      child.total += s.value;
      node = child;
    }
    node.self += s.value;
  }
  sortTree(root);
  return root;
}

/** Widest first, so the heaviest path reads from the left, as flamegraph.pl draws it when sorted by weight. */
function sortTree(n: FlameNode): void {
  n.children.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  for (const c of n.children) sortTree(c);
}

export interface FlameRect {
  name: string;
  depth: number;
  /** 0..1 of the zoomed node's width. */
  x: number;
  width: number;
  total: number;
  /** The node, to zoom into it. */
  node: FlameNode;
}

/**
 * Rectangles of the subtree under `focus`, `focus` spanning the full width; nodes narrower than
 * `minWidth` (a fraction) are left out, since they would be invisible slivers.
 */
export function flameRects(focus: FlameNode, minWidth = 0.002): FlameRect[] {
  const out: FlameRect[] = [];
  if (focus.total <= 0) return out;
  const walk = (n: FlameNode, depth: number, x: number) => {
    const width = n.total / focus.total;
    if (width < minWidth) return;
    out.push({ name: n.name, depth, x, width, total: n.total, node: n });
    let cx = x;
    for (const c of n.children) {
      walk(c, depth + 1, cx);
      cx += c.total / focus.total;
    }
  };
  walk(focus, 0, 0);
  return out;
}

export interface FunctionRow {
  name: string;
  self: number;
  total: number;
}

/** Per frame name: weight of samples ending there (self) and through it (total, counted once per sample). */
export function functionTable(profile: StackProfile): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  for (const s of profile.samples) {
    const seen = new Set<string>();
    s.frames.forEach((f, i) => {
      let r = rows.get(f);
      if (!r) rows.set(f, (r = { name: f, self: 0, total: 0 }));
      if (!seen.has(f)) r.total += s.value;
      seen.add(f);
      if (i === s.frames.length - 1) r.self += s.value;
    });
  }
  return [...rows.values()].sort((a, b) => b.self - a.self || b.total - a.total);
}

/** A stable colour per frame: kernel frames warm, user frames (`(binary)`) cool, the command grey. */
export function frameColor(name: string, depth: number): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  if (depth <= 1 && !name.includes('+0x')) return 'hsl(0, 0%, 62%)';
  const user = /\)$/.test(name) || /^0x/.test(name);
  const hue = user ? 190 + (h % 50) : 10 + (h % 40);
  return `hsl(${hue}, 70%, ${55 + (h % 12)}%)`;
}
