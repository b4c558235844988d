'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunView } from '../../state/run';
import { annotateDisasm, type DisasmRow } from '../../state/disasm';

export interface DisasmPaneProps {
  run: RunView | null;
  files: string[];
  mainFile: string;
  /** The editor's cursor: rows compiled from this line are highlighted and scrolled into view. */
  cursor: { file: string; line: number } | null;
  onJump(file: string, line: number): void;
  onHover(at: { file: string; line: number } | null): void;
}

/** BPF instructions per ELF section with the source lines they came from; click to jump both ways. */
export function DisasmPane(p: DisasmPaneProps) {
  const sections = p.run?.disasm?.sections ?? [];
  const [picked, setPicked] = useState(0);
  const section = sections[Math.min(picked, Math.max(0, sections.length - 1))];
  const rows = useMemo<DisasmRow[]>(
    () => (section ? annotateDisasm(section.lines, p.files, p.mainFile) : []),
    [section, p.files, p.mainFile],
  );
  const ref = useRef<HTMLDivElement>(null);
  const linked = (r: DisasmRow) =>
    p.cursor !== null && r.at !== null && r.at.file === p.cursor.file && r.at.line === p.cursor.line;

  useEffect(() => {
    const el = ref.current;
    const hit = el?.querySelector<HTMLElement>('.dis-linked');
    if (el && hit && (hit.offsetTop < el.scrollTop || hit.offsetTop > el.scrollTop + el.clientHeight - 20))
      el.scrollTop = hit.offsetTop - el.clientHeight / 3;
  }, [p.cursor, rows]);

  if (!section) {
    return (
      <div className="pane scroll-y" data-testid="pane-disasm">
        <p className="empty">
          {p.run
            ? 'No disassembly yet (it arrives after compiling).'
            : 'The compiled BPF instructions, interleaved with your source lines, appear here.'}
        </p>
      </div>
    );
  }
  return (
    <div className="pane pane-disasm" data-testid="pane-disasm">
      <div className="pane-bar">
        <select value={picked} onChange={(e) => setPicked(Number(e.target.value))} aria-label="Section">
          {sections.map((s, i) => (
            <option key={s.section} value={i}>
              {s.section} ({s.programs.join(', ')})
            </option>
          ))}
        </select>
        <span className="muted small">
          click a line to show it in the editor; move the editor cursor to find its instructions
        </span>
      </div>
      <div className="scroller mono" ref={ref} onMouseLeave={() => p.onHover(null)}>
        {rows.map((r, i) => (
          <div
            key={i}
            className={`dis dis-${r.kind} ${linked(r) ? 'dis-linked' : ''} ${r.at ? 'dis-clickable' : ''}`}
            onClick={() => r.at && p.onJump(r.at.file, r.at.line)}
            onMouseEnter={() => p.onHover(r.at)}
            data-testid={`dis-${r.kind}`}
            data-line={r.at?.line}
          >
            {r.kind === 'insn' && <span className="insn-no">{r.insn ?? ''}</span>}
            <span>{r.text}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
