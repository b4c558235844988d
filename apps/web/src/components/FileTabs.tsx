'use client';

import { useEffect, useState } from 'react';
import type { EditorMarker } from '../state/markers';
import { countBySeverity } from '../state/markers';
import type { EditorFile } from '../state/workspace';

export interface FileTabsProps {
  files: EditorFile[];
  active: string;
  main: string | null;
  markers: EditorMarker[];
  onSelect(name: string): void;
  /** Each returns an error message, or null on success. */
  onAdd(name: string): string | null;
  onRename(from: string, to: string): string | null;
  onDelete(name: string): string | null;
  /** Bumped by the Alt+N shortcut to open the new-file box. */
  addRequest: number;
}

type Editing = { mode: 'add' } | { mode: 'rename'; file: string } | null;

export function FileTabs(p: FileTabsProps) {
  const [editing, setEditing] = useState<Editing>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (p.addRequest === 0) return;
    setEditing({ mode: 'add' });
    setText('');
  }, [p.addRequest]);

  const commit = () => {
    if (!editing) return;
    const name = text.trim();
    const err = editing.mode === 'add' ? p.onAdd(name) : p.onRename(editing.file, name);
    if (err) {
      setError(err);
      return;
    }
    setEditing(null);
    setError(null);
  };
  const cancel = () => {
    setEditing(null);
    setError(null);
  };
  const input = (
    <span className="tab tab-editing">
      <input
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            // Committing focuses the editor before the key is done: without this the same Enter
            // lands in the file as a blank first line.
            e.preventDefault();
            commit();
          }
          if (e.key === 'Escape') {
            e.stopPropagation();
            cancel();
          }
        }}
        onBlur={cancel}
        aria-label={editing?.mode === 'add' ? 'New file name' : 'New name'}
        data-testid="file-name-input"
        spellCheck={false}
      />
    </span>
  );

  return (
    <div className="filetabs" role="tablist" aria-label="Files">
      {p.files.map((f) =>
        editing?.mode === 'rename' && editing.file === f.name ? (
          <span key={f.name}>{input}</span>
        ) : (
          <span
            key={f.name}
            role="tab"
            aria-selected={f.name === p.active}
            className={`tab ${f.name === p.active ? 'tab-active' : ''}`}
            onClick={() => p.onSelect(f.name)}
            onDoubleClick={() => {
              setEditing({ mode: 'rename', file: f.name });
              setText(f.name);
            }}
            title={`${f.name}${f.name === p.main ? ' (compiled)' : ''} — double-click to rename`}
            data-testid={`tab-${f.name}`}
            tabIndex={0}
            onKeyDown={(e) => {
              if (e.key === 'F2') {
                setEditing({ mode: 'rename', file: f.name });
                setText(f.name);
              }
            }}
          >
            {f.name === p.main && <span className="main-dot" aria-label="main file" />}
            {f.name}
            <Badges {...countBySeverity(p.markers, f.name)} />
            {p.files.length > 1 && (
              <button
                className="tab-close"
                aria-label={`Delete ${f.name}`}
                title={`Delete ${f.name}`}
                onClick={(e) => {
                  e.stopPropagation();
                  if (
                    f.content.trim() === '' ||
                    window.confirm(`Delete ${f.name}? Its text is not kept anywhere else.`)
                  ) {
                    const err = p.onDelete(f.name);
                    if (err) setError(err);
                  }
                }}
              >
                ×
              </button>
            )}
          </span>
        ),
      )}
      {editing?.mode === 'add' ? (
        input
      ) : (
        <button
          className="tab-add"
          onClick={() => {
            setEditing({ mode: 'add' });
            setText('');
          }}
          title="Add a file (.h header or .bpf.c program)"
          data-testid="add-file"
        >
          +
        </button>
      )}
      {error && (
        <span className="tab-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function Badges({ errors, warnings }: { errors: number; warnings: number }) {
  return (
    <>
      {errors > 0 && <span className="badge badge-error">{errors}</span>}
      {warnings > 0 && <span className="badge badge-warning">{warnings}</span>}
    </>
  );
}
