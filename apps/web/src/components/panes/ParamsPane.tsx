'use client';

import { useState } from 'react';
import { useMemo } from 'react';
import type { ParamValue } from '@bpfplay/protocol';
import { formatValue } from '../../state/format';
import { paramDecls, parseParamInput, type ParamDecl, type ParamsFrame } from '../../state/params';
import type { EditorFile } from '../../state/workspace';

/**
 * `const volatile` knobs: their initial value for the next Run (written into .rodata before load).
 * The list is the agent's (`params` frame of the last Run or Check), read from the object's BTF.
 */
export function ParamsPane({
  declared,
  files,
  params,
  onChange,
  onJump,
}: {
  /** The last `params` frame; null until the agent has compiled this page's snippet once. */
  declared: ParamsFrame | null;
  files: EditorFile[];
  params: Record<string, ParamValue>;
  onChange(name: string, v: ParamValue | undefined): void;
  onJump(file: string, line: number): void;
}) {
  const decls = useMemo(() => (declared ? paramDecls(declared, files) : []), [declared, files]);
  return (
    <div className="pane scroll-y" data-testid="pane-params">
      {declared === null && (
        <p className="empty">
          Run or Check (Ctrl/Cmd+Shift+Enter) to list this program&apos;s <code>const volatile</code> globals: the agent
          reads them from the compiled object.
        </p>
      )}
      {declared !== null && decls.length === 0 && (
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
              <th>compiled in</th>
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
        {d.at ? (
          <button className="link" onClick={() => onJump(d.at!.file, d.at!.line)}>
            {d.name}
          </button>
        ) : (
          d.name
        )}
      </td>
      <td className="mono" title={d.loader}>
        {d.type}
      </td>
      <td className="mono muted">{formatValue(d.compiled)}</td>
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
