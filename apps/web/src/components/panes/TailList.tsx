'use client';

import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface TailListProps {
  count: number;
  rowHeight: number;
  /** Changes whenever rows were added (the store's version): redraw the tail. */
  version: number;
  following: boolean;
  onFollowingChange(f: boolean): void;
  /**
   * One row. `slot` is given while following: use it as the row's React key, so the same DOM nodes
   * show whichever rows are newest (their text changes, nothing is created or removed per frame;
   * keyed by row, 100k records/s replaced every row node every frame and the DOM node count ran
   * to tens of thousands between collections). Without it (reading), key the row by its identity.
   */
  renderRow(index: number, style: React.CSSProperties, slot?: string): ReactNode;
  empty?: ReactNode;
  label: string;
  testId?: string;
}

/**
 * A log that is either following its tail or being read. Following, it draws just the rows that
 * fit, bottom-aligned, with no scrolling at all: scrolling a virtual list to its end every frame
 * forced a layout per frame (measured: ~1 s of 5 s on the page's thread at 100k records/s).
 * Scrolling up (wheel, ↑, PgUp, Home) switches to a virtualized scroller for reading; wheeling
 * down past the bottom, or End, follows again.
 */
export function TailList(p: TailListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [p.following]);

  const readUp = (e: React.KeyboardEvent | React.WheelEvent) => {
    if ('deltaY' in e ? e.deltaY < 0 : ['ArrowUp', 'PageUp', 'Home'].includes(e.key)) p.onFollowingChange(false);
  };

  if (p.following) {
    const fit = Math.max(1, Math.ceil(height / p.rowHeight));
    const first = Math.max(0, p.count - fit);
    const rows: ReactNode[] = [];
    for (let i = first; i < p.count; i++) {
      const slot = p.count - 1 - i;
      rows.push(p.renderRow(i, slotStyle(slot, p.rowHeight), `s${slot}`));
    }
    return (
      <div
        ref={box}
        className="scroller tail mono"
        onWheel={readUp}
        onKeyDown={readUp}
        tabIndex={0}
        aria-label={p.label}
        data-testid={p.testId}
      >
        {p.count === 0 ? p.empty : rows}
      </div>
    );
  }
  return <ReadingList {...p} />;
}

/** The same object for a slot every frame, so memoized rows see an unchanged style. */
const slotStyles = new Map<string, React.CSSProperties>();
function slotStyle(slot: number, h: number): React.CSSProperties {
  const k = `${slot}:${h}`;
  let s = slotStyles.get(k);
  if (!s) slotStyles.set(k, (s = { position: 'absolute', left: 0, bottom: slot * h, height: h }));
  return s;
}

function ReadingList(p: TailListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: p.count,
    getScrollElement: () => scroller.current,
    estimateSize: () => p.rowHeight,
    overscan: 15,
  });
  // Start reading where following left off: at the end.
  useEffect(() => {
    if (p.count > 0) v.scrollToIndex(p.count - 1, { align: 'end' });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on mount only; later rows are followed, not jumped to
  }, []);
  return (
    <div
      ref={scroller}
      className="scroller mono"
      tabIndex={0}
      aria-label={p.label}
      data-testid={p.testId}
      onKeyDown={(e) => e.key === 'End' && p.onFollowingChange(true)}
      onWheel={(e) => {
        // Only a user's own scroll down at the bottom resumes following (not our initial jump).
        const el = e.currentTarget;
        if (e.deltaY > 0 && el.scrollHeight - el.scrollTop - el.clientHeight < 4) p.onFollowingChange(true);
      }}
    >
      {p.count === 0 && p.empty}
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((item) =>
          p.renderRow(item.index, {
            position: 'absolute',
            left: 0,
            top: 0,
            transform: `translateY(${item.start}px)`,
            height: p.rowHeight,
          }),
        )}
      </div>
    </div>
  );
}
