'use client';

import { useState } from 'react';
import type { Streams } from '../../state/streams';
import type { RunView } from '../../state/run';
import { formatCount, formatTimestamp } from '../../state/format';
import { TailList } from './TailList';

const ROW = 20;

/** bpf_printk output, newest at the bottom; scrolling up pauses following, End resumes. */
export function ConsolePane({ streams, run, version }: { streams: Streams; run: RunView | null; version: number }) {
  const ring = streams.printk;
  const [following, setFollowing] = useState(true);
  const iters = run ? Object.entries(run.iter) : [];

  return (
    <div className="pane pane-console" data-testid="pane-console">
      <div className="pane-bar">
        <span>
          {formatCount(ring.total)} lines
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
      <TailList
        count={ring.length}
        rowHeight={ROW}
        version={version}
        following={following}
        onFollowingChange={setFollowing}
        label="printk output"
        empty={
          <p className="empty">
            {run
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
              <span className="text">{l.text}</span>
            </div>
          );
        }}
      />
    </div>
  );
}
