'use client';

import { endedWell, type ParamValue } from '@bpfplay/protocol';
import type { AgentStore } from '../state/agentStore';
import type { RunView } from '../state/run';
import { runProblem, type EditorMarker } from '../state/markers';
import type { EditorFile } from '../state/workspace';
import { formatCount } from '../state/format';
import type { PaneBadge, PaneId } from './OutputPanel';
import { ProblemsPane } from './panes/ProblemsPane';
import { ConsolePane } from './panes/ConsolePane';
import { EventsPane } from './panes/EventsPane';
import { MapsPane } from './panes/MapsPane';
import { VerifierPane } from './panes/VerifierPane';
import { DisasmPane } from './panes/DisasmPane';
import { CoRePane, type CoreTargetsProps } from './panes/CoRePane';
import { ParamsPane } from './panes/ParamsPane';
import { LogPane } from './panes/LogPane';
import { IterPane } from './panes/IterPane';
import { KernelsPane } from './panes/KernelsPane';
import { PacketLabPane, type PacketLabPaneProps } from './panes/PacketLabPane';
import { PANE_INTERVAL_MS, useThrottledStreamVersion } from '../hooks/useStreamVersion';

export interface OutputPanesProps {
  pane: PaneId;
  store: AgentStore;
  theme: string;
  files: EditorFile[];
  fileNames: string[];
  mainName: string;
  onFiles: EditorMarker[];
  elsewhere: EditorMarker[];
  cursor: { file: string; line: number } | null;
  params: Record<string, ParamValue>;
  onParam(name: string, v: ParamValue | undefined): void;
  onJump(file: string, line: number): void;
  onHoverLine(at: { file: string; line: number } | null): void;
  coreTargets: CoreTargetsProps;
  /** The Kernels pane's picker: the targets the next Run names. */
  runTargets: { picked: string[]; onToggle(name: string, on: boolean): void };
  /** Files edited since the run (run.ts staleFiles). */
  stale: ReadonlySet<string>;
  packetLab: Omit<PacketLabPaneProps, 'run'>;
}

export function OutputPanes(props: OutputPanesProps) {
  const version = useThrottledStreamVersion(props.store, PANE_INTERVAL_MS);
  const p = { ...props, version };
  const { store } = p;
  const run = store.run;
  switch (p.pane) {
    case 'problems':
      return <ProblemsPane run={run} onFiles={p.onFiles} elsewhere={p.elsewhere} onJump={p.onJump} />;
    case 'console':
      return <ConsolePane streams={store.streams} run={run} version={p.version} />;
    case 'iter':
      return <IterPane run={run} />;
    case 'events':
      return <EventsPane streams={store.streams} version={p.version} running={run !== null && run.stopped === null} />;
    case 'maps':
      return <MapsPane streams={store.streams} run={run} version={p.version} theme={p.theme} />;
    case 'verifier':
      return <VerifierPane run={run} onJump={p.onJump} stale={p.stale.size > 0} />;
    case 'disasm':
      return (
        <DisasmPane
          run={run}
          files={p.fileNames}
          mainFile={p.mainName}
          cursor={p.cursor}
          onJump={p.onJump}
          onHover={p.onHoverLine}
        />
      );
    case 'core':
      return <CoRePane run={run} onJump={p.onJump} targets={p.coreTargets} />;
    case 'kernels':
      return (
        <KernelsPane hello={store.hello} run={run} streams={store.streams} version={p.version} {...p.runTargets} />
      );
    case 'params':
      return (
        <ParamsPane declared={store.params} files={p.files} params={p.params} onChange={p.onParam} onJump={p.onJump} />
      );
    case 'log':
      return <LogPane run={run} notes={store.notes} />;
    case 'packet':
      // Keyed by the example's packet: choosing another example starts from its packet.
      return (
        <PacketLabPane
          key={JSON.stringify(p.packetLab.initial ?? null)}
          {...p.packetLab}
          run={store.side.runs['test-run']}
        />
      );
  }
}

/** The small counts on the pane tabs, so news in a hidden pane is visible. */
export function paneBadges(
  run: RunView | null,
  store: AgentStore,
  problems: number,
  params: number,
): Partial<Record<PaneId, PaneBadge>> {
  const s = store.streams;
  const b: Partial<Record<PaneId, PaneBadge>> = {};
  const failed = run ? runProblem(run) : null;
  const count = problems + (failed ? 1 : 0);
  if (count > 0)
    b.problems = {
      text: String(count),
      tone: run?.compiled?.ok === false || run?.refused || failed ? 'error' : 'warn',
    };
  if (s.printk.total > 0) b.console = { text: formatCount(s.printk.total) };
  const iterLines = Object.values(run?.iter ?? {}).reduce((n, o) => n + (o.text.match(/\n/g)?.length ?? 0), 0);
  if (iterLines > 0) b.iter = { text: formatCount(iterLines) };
  if (s.eventsReceived > 0)
    b.events = { text: formatCount(s.eventsReceived), ...(s.eventsDropped > 0 ? { tone: 'warn' as const } : {}) };
  if (s.maps) b.maps = { text: String(s.maps.maps.length) };
  if (run?.verifier.some((v) => !v.ok)) b.verifier = { text: '✗', tone: 'error' };
  else if (run?.loaded) b.verifier = { text: '✓' };
  if (run?.core)
    b.core = {
      text: String(run.core.relocations.length),
      ...(run.core.relocations.some((r) => r.results.some((x) => !x.ok)) ? { tone: 'error' as const } : {}),
    };
  const targets = run?.targets ?? [];
  if (targets.length > 0) {
    const failed = targets.some((t) => {
      const o = run!.perTarget[t]?.outcome;
      return o && !endedWell(o.reason);
    });
    b.kernels = { text: String(targets.length), ...(failed ? { tone: 'warn' as const } : {}) };
  }
  if (params > 0) b.params = { text: String(params) };
  const warn =
    (run?.warnings.length ?? 0) + (run?.errors.length ?? 0) + store.notes.filter((n) => n.level !== 'info').length;
  if (warn > 0) b.log = { text: String(warn), tone: 'warn' };
  const lab = store.side.runs['test-run'];
  if (lab?.tests.length)
    b.packet = { text: String(lab.tests.length), ...(lab.error ? { tone: 'error' as const } : {}) };
  return b;
}
