'use client';

import { useRef } from 'react';
import type { RunView } from '../../state/run';
import type { BtfUpload } from '../../state/btfUploads';
import { coreColumns, coreSummary, summaryText } from '../../state/coReTable';

export interface CoreTargetsProps {
  /** BTF files bundled with the agent (hello.capabilities.coreTargets). */
  bundled: string[];
  uploads: BtfUpload[];
  /** The targets picked for the next Run or Check. */
  selected: string[];
  canCheck: boolean;
  onToggle(name: string, on: boolean): void;
  onUpload(file: File): void;
  onRemoveUpload(name: string): void;
  onCheck(): void;
}

/**
 * CO-RE relocations libbpf applies, resolved against this kernel and against each kernel picked
 * above (bundled BTF or an upload), side by side: which would fail or move elsewhere.
 */
export function CoRePane({
  run,
  onJump,
  targets,
}: {
  run: RunView | null;
  onJump(file: string, line: number): void;
  targets: CoreTargetsProps;
}) {
  const relos = run?.core?.relocations ?? [];
  const columns = coreColumns(relos);
  const summary = coreSummary(relos, columns);
  const notChecked = targets.selected.filter(
    (t) =>
      !columns.includes(t) &&
      (targets.bundled.includes(t) || targets.uploads.some((u) => u.name === t && u.state === 'ready')),
  );
  return (
    <div className="pane" data-testid="pane-core">
      <TargetPicker {...targets} />
      <div className="scroll-y">
        {targets.uploads
          .filter((u) => u.state === 'failed')
          .map((u) => (
            <p key={u.name} className="notice error-text" data-testid="core-upload-error">
              Upload {u.name} refused: {u.error}
            </p>
          ))}
        {run?.core && notChecked.length > 0 && (
          <p className="notice" data-testid="core-not-checked">
            Not in this report: {notChecked.join(', ')}. Press Check to compare against{' '}
            {notChecked.length > 1 ? 'them' : 'it'}.
          </p>
        )}
        {relos.length === 0 && (
          <p className="empty">
            {run?.core
              ? 'This object has no CO-RE relocations (no BPF_CORE_READ or preserve_access_index field accesses).'
              : "CO-RE relocations (field offsets resolved against this kernel's BTF) appear here after a Run or Check. Pick other kernels above to see which relocations would fail there."}
          </p>
        )}
        {relos.length > 0 && (
          <>
            <p className="core-summary">
              {summary.map((s) => (
                <span
                  key={s.target}
                  className={s.failing ? 'error-text' : s.poisoned ? 'warn' : 'ok'}
                  data-testid={`core-summary-${s.target}`}
                >
                  {summaryText(s)}
                </span>
              ))}
            </p>
            <div className="table-scroll">
              <table className="grid mono core-table">
                <thead>
                  <tr>
                    <th>line</th>
                    <th>access</th>
                    <th>kind</th>
                    {columns.map((t) => (
                      <th key={t} data-testid={`core-col-${t}`}>
                        {t}
                      </th>
                    ))}
                    <th>program · insn</th>
                  </tr>
                </thead>
                <tbody>
                  {relos.map((r, i) => (
                    <tr key={i} data-testid="core-relo">
                      <td>
                        {r.location ? (
                          <button className="link" onClick={() => onJump(r.location!.file, r.location!.line)}>
                            {r.location.line}
                          </button>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="break" title={`${r.typeName} — spec ${r.spec}`}>
                        {r.access}
                      </td>
                      <td>{r.kind}</td>
                      {columns.map((t) => {
                        const x = r.results.find((y) => y.target === t);
                        if (!x) return <td key={t}>—</td>;
                        return (
                          <td
                            key={t}
                            className={x.ok ? 'ok' : x.poisoned ? 'warn' : 'error-text'}
                            title={
                              x.poisoned
                                ? 'libbpf poisons this instruction: the load fails only if the program reaches it (fine behind a bpf_core_*_exists check)'
                                : (x.message ?? x.targetSpec)
                            }
                            data-testid={`core-cell-${t}`}
                          >
                            {x.ok ? (x.value ?? 'ok') : `${x.poisoned ? '⚠ poisoned: ' : '✗ '}${x.message ?? 'fails'}`}
                          </td>
                        );
                      })}
                      <td className="muted">
                        {r.program} · {r.insn}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function TargetPicker(p: CoreTargetsProps) {
  const input = useRef<HTMLInputElement>(null);
  const names = [...p.bundled, ...p.uploads.map((u) => u.name).filter((n) => !p.bundled.includes(n))];
  return (
    <div className="pane-bar core-targets" data-testid="core-targets">
      <span className="muted">Check against:</span>
      {names.length === 0 && <span className="muted small">no other kernels bundled with this agent; upload one</span>}
      {names.map((n) => {
        const up = p.uploads.find((u) => u.name === n);
        const usable = !up || up.state === 'ready';
        return (
          <label
            key={n}
            className={`core-target ${up?.state === 'failed' ? 'error-text' : ''}`}
            title={up?.error ?? (up ? `uploaded, ${up.types ?? '?'} types` : 'bundled with the agent')}
          >
            <input
              type="checkbox"
              checked={p.selected.includes(n)}
              disabled={!usable}
              onChange={(e) => p.onToggle(n, e.target.checked)}
              data-testid={`core-target-${n}`}
            />
            {n}
            {up && (
              <span className="muted small">
                {' '}
                {up.state === 'ready' ? `(${up.types} types)` : up.state === 'sending' ? '(uploading…)' : '(refused)'}
              </span>
            )}
            {up && (
              <button
                className="tab-close"
                onClick={() => p.onRemoveUpload(n)}
                aria-label={`Remove ${n}`}
                title="Remove this upload"
              >
                ×
              </button>
            )}
          </label>
        );
      })}
      <button
        className="btn-small"
        onClick={() => input.current?.click()}
        title="Another kernel's /sys/kernel/btf/vmlinux (raw BTF)"
        data-testid="core-upload"
      >
        Upload BTF…
      </button>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="core-upload-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) p.onUpload(f);
          e.target.value = '';
        }}
      />
      <button
        className="btn-small"
        onClick={p.onCheck}
        disabled={!p.canCheck}
        title="Compile and resolve the relocations again, nothing is loaded"
        data-testid="core-check"
      >
        Check
      </button>
    </div>
  );
}
