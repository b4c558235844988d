'use client';

import { useState } from 'react';
import type { RoomServerMessageOf } from '@bpfplay/protocol';

/** A learner's code as they last sent it, read-only, with line numbers to talk about on a projector. */
export function CodeViewer({ code, onClose }: { code: RoomServerMessageOf<'learner-code'>; onClose(): void }) {
  const files = code.snippet?.files ?? [];
  const [picked, setPicked] = useState(0);
  const file = files[Math.min(picked, files.length - 1)];
  return (
    <section className="room-code" data-testid="learner-code" aria-label={`${code.name}'s code`}>
      <header>
        <strong>{code.name}&apos;s code</strong>
        {code.at && <span className="muted"> as of {new Date(code.at).toLocaleTimeString()}</span>}
        {files.map((f, i) => (
          <button key={f.name} className={`btn-small ${i === picked ? 'active' : ''}`} onClick={() => setPicked(i)}>
            {f.name}
          </button>
        ))}
        <button className="btn-small" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      {file ? (
        <pre>
          {file.content.split('\n').map((line, i) => (
            <div key={i}>
              <span className="ln">{i + 1}</span>
              {line}
            </div>
          ))}
        </pre>
      ) : (
        <p className="muted">No code yet.</p>
      )}
    </section>
  );
}
