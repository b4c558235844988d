'use client';

import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Streams } from '../../state/streams';
import type { RunView } from '../../state/run';
import { formatCount, formatTimestamp } from '../../state/format';
import { useFollowTail } from './useFollowTail';

const ROW = 20;

/** bpf_printk output, newest at the bottom; scrolling up pauses following, End resumes. */
export function ConsolePane({ streams, run, version }: { streams: Streams; run: RunView | null; version: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const ring = streams.printk;
  const v = useVirtualizer({ count: ring.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20 });
  const { following, resume, onScroll } = useFollowTail(scroller, ring.length, version, (i) => v.scrollToIndex(i, { align: 'end' }));
  const iters = run ? Object.entries(run.iter) : [];

  return (
    <div className="pane pane-console" data-testid="pane-console">
      <div className="pane-bar">
        <span>
          {formatCount(ring.total)} lines{ring.evicted > 0 && <span className="muted"> (showing last {formatCount(ring.length)})</span>}
        </span>
        {streams.printkDropped > 0 && <span className="warn">dropped {formatCount(streams.printkDropped)}</span>}
        <span className="spacer" />
        <button className={`btn-small ${following ? '' : 'btn-attn'}`} onClick={resume} disabled={following} title="Follow new lines (End)">
          {following ? 'following' : 'paused — follow'}
        </button>
      </div>
      {iters.length > 0 && (
        <div className="iter-output">
          {iters.map(([prog, out]) => (
            <details key={prog} open>
              <summary>
                iterator {prog} {out.done ? '(done)' : '(reading…)'}
              </summary>
              <pre data-testid={`iter-${prog}`}>{out.text}</pre>
            </details>
          ))}
        </div>
      )}
      <div className="scroller mono" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label="printk output">
        {ring.length === 0 && <p className="empty">{run ? 'No printk output yet. bpf_printk() lines appear here.' : 'Run a program: its bpf_printk() lines appear here.'}</p>}
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((item) => {
            const l = ring.at(item.index);
            if (!l) return null;
            return (
              <div key={l.n} className="console-line" style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)`, height: ROW }} data-testid="printk-line">
                <span className="ts">{formatTimestamp(l.t)}</span>
                <span className="cpu">[{String(l.cpu).padStart(3, '0')}]</span>
                <span className="text">{l.text}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
