'use client';

import { useState } from 'react';
import type { RunView } from '../../state/run';

/**
 * What an iterator program wrote with BPF_SEQ_PRINTF, one block per program: the text a `cat` of
 * the iterator would print (a ps-like table for tasklist), read once after attaching. Kept as it
 * is (no wrapping: columns stay aligned), with its line count and a copy button.
 */
export function IterPane({ run }: { run: RunView | null }) {
  const iters = run ? Object.entries(run.iter) : [];
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <div className="pane pane-iter scroll-y" data-testid="pane-iter">
      {iters.length === 0 && (
        <p className="empty">
          {run?.stopped
            ? 'The iterator printed nothing.'
            : 'The iterator runs once when the program is attached; its text appears here.'}
        </p>
      )}
      {iters.map(([prog, out]) => {
        const lines = out.text === '' ? 0 : out.text.replace(/\n$/, '').split('\n').length;
        return (
          <section key={prog} className="iter-block">
            <div className="pane-bar">
              <strong>{prog}</strong>
              <span className="muted" data-testid={`iter-lines-${prog}`}>
                {lines} {lines === 1 ? 'line' : 'lines'} {out.done ? '' : '(reading…)'}
              </span>
              <span className="spacer" />
              <button
                className="btn-small"
                onClick={() =>
                  void navigator.clipboard.writeText(out.text).then(
                    () => setCopied(prog),
                    () => setCopied(null),
                  )
                }
              >
                {copied === prog ? 'copied' : 'copy'}
              </button>
            </div>
            <pre className="iter-text" data-testid={`iter-${prog}`}>
              {out.text}
            </pre>
          </section>
        );
      })}
    </div>
  );
}
