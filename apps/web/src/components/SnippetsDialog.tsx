'use client';

import { useEffect, useState } from 'react';
import type { LibraryEntry, SnippetVersion } from '../state/snippetLibrary';
import type { ReplaceQuestion } from '../hooks/useSnippetLibrary';
import { Dialog } from './Dialog';

const when = (at: number) => new Date(at).toLocaleString();

/** The user's snippets in this browser, newest first, each with its earlier versions. */
export function SnippetsDialog(p: {
  open: boolean;
  entries: LibraryEntry[];
  currentId: string | undefined;
  onClose(): void;
  onOpen(entry: LibraryEntry, version?: SnippetVersion): void;
  onDelete(id: string): void;
}) {
  const [expanded, setExpanded] = useState<string | null>(null);
  // Each opening starts with every history folded.
  useEffect(() => {
    if (p.open) setExpanded(null);
  }, [p.open]);
  return (
    <Dialog open={p.open} title="My snippets" onClose={p.onClose} testId="snippets">
      <p className="small muted">
        Every snippet you edit is kept here, in this browser, with a version every couple of minutes and one each time
        you leave it.
      </p>
      {p.entries.length === 0 && <p className="empty">No snippets yet: edit one and it appears here.</p>}
      <ul className="snippet-list">
        {p.entries.map((e) => (
          <li key={e.id} data-testid="snippet-entry" data-current={e.id === p.currentId ? 'true' : undefined}>
            <div className="snippet-row">
              <span className="snippet-title">{e.title}</span>
              <span className="muted small">
                {e.files.length} file{e.files.length === 1 ? '' : 's'} · edited {when(e.updatedAt)}
                {e.id === p.currentId ? ' · open now' : ''}
              </span>
              <span className="spacer" />
              <button
                className="btn-small"
                onClick={() => setExpanded(expanded === e.id ? null : e.id)}
                data-testid="snippet-history"
              >
                history ({e.versions.length})
              </button>
              {e.id !== p.currentId && (
                <>
                  <button className="btn-small" onClick={() => (p.onClose(), p.onOpen(e))} data-testid="snippet-open">
                    open
                  </button>
                  <button className="btn-small" onClick={() => p.onDelete(e.id)} data-testid="snippet-delete">
                    delete
                  </button>
                </>
              )}
            </div>
            {expanded === e.id && (
              <ol className="snippet-versions" reversed>
                {[...e.versions].reverse().map((v) => (
                  <li key={v.at} data-testid="snippet-version">
                    <span className="mono small">{when(v.at)}</span>{' '}
                    <span className="muted small" title={v.files[0]?.content.slice(0, 400)}>
                      {v.files.map((f) => `${f.name} (${f.content.split('\n').length} lines)`).join(', ')}
                    </span>{' '}
                    <button
                      className="btn-small"
                      onClick={() => (p.onClose(), p.onOpen(e, v))}
                      data-testid="snippet-version-open"
                    >
                      open this version
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

/** "Replace your edited snippet?": the only way edited code leaves the editor. */
export function ReplaceDialog({
  question,
  onAnswer,
}: {
  question: ReplaceQuestion | null;
  onAnswer(yes: boolean): void;
}) {
  return (
    <Dialog
      open={question !== null}
      title="Replace the code in the editor?"
      onClose={() => onAnswer(false)}
      testId="replace"
    >
      {question && (
        <>
          <p>
            “{question.title}” has your edits. Open {question.what} instead? Your code stays in <b>My snippets</b>, with
            its history, to open again later.
          </p>
          <div className="dialog-actions">
            <button className="btn" onClick={() => onAnswer(false)} data-testid="replace-cancel">
              Keep editing
            </button>
            <button className="btn btn-run" onClick={() => onAnswer(true)} data-testid="replace-confirm">
              Open {question.what}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
