'use client';

import { useMemo, useState } from 'react';
import type { StackProfile } from '@bpfplay/protocol';
import { flameRects, flameTree, frameColor, functionTable, type FlameNode } from '../../state/flame';

const ROW = 18;
const WIDTH = 1000;
/** Rows of the function table shown at once; the flame graph has everything. */
const TABLE_ROWS = 25;

/**
 * A stack profile as a flame graph (own SVG: a few hundred rectangles need no library) and a table
 * of functions by self and total weight. Click a frame to zoom into it, the bottom bar to zoom out.
 */
export function FlameGraph({ profile }: { profile: StackProfile }) {
  const tree = useMemo(() => flameTree(profile), [profile]);
  const rows = useMemo(() => functionTable(profile), [profile]);
  const [focusPath, setFocusPath] = useState<string[]>([]);
  const focus = useMemo(() => {
    let n: FlameNode = tree;
    for (const name of focusPath) {
      const c = n.children.find((x) => x.name === name);
      if (!c) return tree;
      n = c;
    }
    return n;
  }, [tree, focusPath]);
  const rects = useMemo(() => flameRects(focus), [focus]);
  const depth = rects.reduce((d, r) => Math.max(d, r.depth), 0) + 1;
  const height = depth * ROW;
  const pathTo = (target: FlameNode): string[] => {
    const walk = (n: FlameNode, path: string[]): string[] | undefined => {
      if (n === target) return path;
      for (const c of n.children) {
        const p = walk(c, [...path, c.name]);
        if (p) return p;
      }
      return undefined;
    };
    return walk(tree, []) ?? [];
  };
  const pct = (n: number) => `${((100 * n) / (tree.total || 1)).toFixed(1)}%`;

  return (
    <div className="flame" data-testid={`flame-${profile.name}`}>
      <p className="small muted">
        {profile.samples.length} stacks · {tree.total} {profile.unit}
        {profile.missing ? ` · ${profile.missing} stacks lost (stack map full)` : ''}
        {focusPath.length > 0 && (
          <>
            {' '}
            ·{' '}
            <button type="button" className="link" onClick={() => setFocusPath([])}>
              reset zoom
            </button>
          </>
        )}
      </p>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        height={height}
        preserveAspectRatio="none"
        role="img"
        aria-label={`flame graph of ${profile.name}`}
      >
        {rects.map((r, i) => {
          const x = r.x * WIDTH;
          const w = r.width * WIDTH;
          // Root at the bottom, as flame graphs grow upwards from the command.
          const y = height - (r.depth + 1) * ROW;
          const label = r.depth === 0 ? (focusPath.at(-1) ?? 'all') : r.name;
          return (
            <g
              key={i}
              className="flame-frame"
              onClick={() => setFocusPath(r.depth === 0 ? focusPath.slice(0, -1) : pathTo(r.node))}
            >
              <title>{`${r.name}: ${r.total} ${profile.unit} (${pct(r.total)})`}</title>
              <rect x={x} y={y} width={Math.max(w - 0.5, 0.5)} height={ROW - 1} fill={frameColor(r.name, r.depth)} />
              {w > 40 && (
                <text x={x + 3} y={y + ROW - 5} fontSize={11} className="flame-label">
                  {label.length > w / 6.5 ? `${label.slice(0, Math.max(0, Math.floor(w / 6.5) - 1))}…` : label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <table className="grid mono" data-testid={`flame-table-${profile.name}`}>
        <thead>
          <tr>
            <th>function</th>
            <th>self</th>
            <th>total</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, TABLE_ROWS).map((r) => (
            <tr key={r.name}>
              <td>{r.name}</td>
              <td>
                {r.self} ({pct(r.self)})
              </td>
              <td>
                {r.total} ({pct(r.total)})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
