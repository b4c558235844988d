'use client';

import { useState } from 'react';
import type { Streams } from '../../state/streams';
import { hasIterator, type RunView } from '../../state/run';
import { formatCount, formatTimestamp } from '../../state/format';
import { TailList } from './TailList';

const ROW = 20;

/** bpf_printk output, newest at the bottom; scrolling up pauses following, End resumes. */
export function ConsolePane({ streams, run, version }: { streams: Streams; run: RunView | null; version: number }) {
  const ring = streams.printk;
  const [following, setFollowing] = useState(true);
  const iterator = hasIterator(run);

  return (
    <div className="pane pane-console" data-testid="pane-console">
      <div className="pane-bar">
        <span>
          {formatCount(ring.total)} printk lines
          {ring.evicted > 0 && <span className="muted"> (showing last {formatCount(ring.length)})</span>}
        </span>
        {streams.printkDropped > 0 && <span className="warn">dropped {formatCount(streams.printkDropped)}</span>}
        <span className="spacer" />
        <button
          className={`btn-small ${following ? '' : 'btn-attn'}`}
          onClick={() => setFollowing(true)}
          disabled={following}
          title="Follow new lines (End)"
        >
          {following ? 'following' : 'paused — follow'}
        </button>
      </div>
      <TailList
        count={ring.length}
        rowHeight={ROW}
        version={version}
        following={following}
        onFollowingChange={setFollowing}
        label="printk output"
        empty={
          <p className="empty">
            {iterator
              ? 'An iterator writes with BPF_SEQ_PRINTF: its text is in the Iterator tab. bpf_printk() lines would appear here.'
              : run
                ? 'No printk output yet. bpf_printk() lines appear here.'
                : 'Run a program: its bpf_printk() lines appear here.'}
          </p>
        }
        renderRow={(i, style, slot) => {
          const l = ring.at(i);
          if (!l) return null;
          return (
            <div key={slot ?? l.n} className="console-line" style={style} data-testid="printk-line">
              <span className="ts">{formatTimestamp(l.t)}</span>
              <span className="cpu">[{String(l.cpu).padStart(3, '0')}]</span>
              {l.target !== undefined && (
                <span className="target-label" data-testid="printk-target">
                  {l.target}
                </span>
              )}
              <span className="text">{l.text}</span>
            </div>
          );
        }}
      />
    </div>
  );
}
