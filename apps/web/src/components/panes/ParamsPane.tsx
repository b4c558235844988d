'use client';

import { useState } from 'react';
import type { ParamValue } from '@bpfplay/protocol';
import { findParams, parseParamInput, type ParamDecl } from '../../state/params';
import type { EditorFile } from '../../state/workspace';

/** `const volatile` knobs: their initial value for the next Run (written into .rodata before load). */
export function ParamsPane({
  files,
  params,
  onChange,
  onJump,
}: {
  files: EditorFile[];
  params: Record<string, ParamValue>;
  onChange(name: string, v: ParamValue | undefined): void;
  onJump(file: string, line: number): void;
}) {
  const decls = findParams(files);
  return (
    <div className="pane scroll-y" data-testid="pane-params">
      {decls.length === 0 && (
        <p className="empty">
          No <code>const volatile</code> globals in this snippet. Declare one (e.g.{' '}
          <code>const volatile pid_t targ_pid = 0;</code>) to set it here before each run.
        </p>
      )}
      {decls.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>name</th>
              <th>type</th>
              <th>in source</th>
              <th>value for next run</th>
            </tr>
          </thead>
          <tbody>
            {decls.map((d) => (
              <ParamRow key={d.name} d={d} value={params[d.name]} onChange={onChange} onJump={onJump} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ParamRow({
  d,
  value,
  onChange,
  onJump,
}: {
  d: ParamDecl;
  value: ParamValue | undefined;
  onChange(name: string, v: ParamValue | undefined): void;
  onJump(file: string, line: number): void;
}) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const [error, setError] = useState<string | null>(null);
  const apply = (t: string) => {
    setText(t);
    if (t.trim() === '') {
      setError(null);
      onChange(d.name, undefined);
      return;
    }
    const r = parseParamInput(d, t);
    if (r.ok) {
      setError(null);
      onChange(d.name, r.value);
    } else setError(r.error);
  };
  return (
    <tr>
      <td className="mono">
        <button className="link" onClick={() => onJump(d.file, d.line)}>
          {d.name}
        </button>
      </td>
      <td className="mono">{d.type}</td>
      <td className="mono muted">{d.init ?? '0'}</td>
      <td>
        {d.kind === 'bool' ? (
          <select
            value={value === undefined ? '' : String(value)}
            onChange={(e) => apply(e.target.value)}
            aria-label={d.name}
          >
            <option value="">(as in source)</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        ) : (
          <input
            value={text}
            placeholder="(as in source)"
            onChange={(e) => apply(e.target.value)}
            aria-label={d.name}
            className="mono"
          />
        )}
        {error && <span className="error-text small"> {error}</span>}
      </td>
    </tr>
  );
}
