'use client';

import type { RunView } from '../../state/run';

/** CO-RE relocations libbpf applied, with their result on this kernel and on any other BTF checked. */
export function CorePane({ run, onJump, coreTargets }: { run: RunView | null; onJump(file: string, line: number): void; coreTargets: string[] }) {
  const relos = run?.core?.relocations ?? [];
  const targets = [...new Set(relos.flatMap((r) => r.results.map((x) => x.target)))];
  return (
    <div className="pane scroll-y" data-testid="pane-core">
      {relos.length === 0 && (
        <p className="empty">
          {run?.core ? 'This object has no CO-RE relocations (no BPF_CORE_READ or preserve_access_index field accesses).' : 'CO-RE relocations (field offsets resolved against this kernel\'s BTF) appear here after a run.'}
          {coreTargets.length > 0 && ` Other kernels to check against: ${coreTargets.join(', ')}.`}
        </p>
      )}
      {relos.length > 0 && (
        <table className="grid mono">
          <thead>
            <tr>
              <th>line</th>
              <th>access</th>
              <th>kind</th>
              {targets.map((t) => (
                <th key={t}>{t}</th>
              ))}
              <th>program · insn</th>
            </tr>
          </thead>
          <tbody>
            {relos.map((r, i) => (
              <tr key={i} data-testid="core-relo">
                <td>{r.location ? <button className="link" onClick={() => onJump(r.location!.file, r.location!.line)}>{r.location.line}</button> : '—'}</td>
                <td className="break" title={`${r.typeName} — spec ${r.spec}`}>
                  {r.access}
                </td>
                <td>{r.kind}</td>
                {targets.map((t) => {
                  const x = r.results.find((y) => y.target === t);
                  if (!x) return <td key={t}>—</td>;
                  return (
                    <td key={t} className={x.ok ? 'ok' : 'error-text'} title={x.message}>
                      {x.ok ? (x.value ?? 'ok') : `✗ ${x.message ?? 'fails'}`}
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
      )}
    </div>
  );
}
