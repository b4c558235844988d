'use client';

import type { ReactNode } from 'react';
import type { AgentStore } from '../state/agentStore';
import { useThrottledStreamVersion } from '../hooks/useStreamVersion';
import { hasIterator } from '../state/run';
import { offersKernels } from '../state/targets';

/** The panes Alt+1…9 select, in tab order. */
export const PANES = ['problems', 'console', 'events', 'maps', 'verifier', 'disasm', 'core', 'params', 'log'] as const;
/**
 * `iter`: an iterator program's text, a tab only while the run has one (after Console).
 * `kernels`: the kernel matrix side by side, a tab only when the agent offers kernels (after CO-RE).
 * `packet`: the Packet lab, the last tab (no Alt+digit: the nine are taken); the tab strip wraps, so
 * it stays on screen at 1024 px.
 */
export type PaneId = (typeof PANES)[number] | 'iter' | 'kernels' | 'packet';

export const PANE_TITLES: Record<PaneId, string> = {
  problems: 'Problems',
  console: 'Console',
  iter: 'Iterator',
  events: 'Events',
  maps: 'Maps',
  verifier: 'Verifier',
  disasm: 'Disasm',
  core: 'CO-RE',
  kernels: 'Kernels',
  params: 'Params',
  log: 'Log',
  packet: 'Packet lab',
};

export interface PaneBadge {
  text: string;
  tone?: 'error' | 'warn' | 'muted';
}

/** Tabbed output panes; only the visible one is mounted so hidden tables cost nothing at high rates. */
export function OutputPanel({
  active,
  store,
  badgesOf,
  onSelect,
  header,
  children,
}: {
  active: PaneId;
  store: AgentStore;
  badgesOf(): Partial<Record<PaneId, PaneBadge>>;
  onSelect(p: PaneId): void;
  /** Above the tabs (an example's trigger). */
  header?: ReactNode;
  children: ReactNode;
}) {
  // The counts on the tabs move with the streams; the panes below subscribe on their own.
  useThrottledStreamVersion(store);
  const badges = badgesOf();
  const tabs: PaneId[] = hasIterator(store.run) ? [...PANES.slice(0, 2), 'iter', ...PANES.slice(2)] : [...PANES];
  if (offersKernels(store.hello)) tabs.splice(tabs.indexOf('core') + 1, 0, 'kernels');
  tabs.push('packet');
  return (
    <section className={`output ${header ? 'output-with-header' : ''}`} aria-label="Output">
      {header}
      <div className="pane-tabs" role="tablist">
        {tabs.map((p) => {
          const i = (PANES as readonly string[]).indexOf(p);
          const b = badges[p];
          return (
            <button
              key={p}
              role="tab"
              aria-selected={p === active}
              className={`pane-tab ${p === active ? 'pane-tab-active' : ''}`}
              onClick={() => onSelect(p)}
              title={i >= 0 ? `${PANE_TITLES[p]} (Alt+${i + 1})` : PANE_TITLES[p]}
              data-testid={`pane-tab-${p}`}
            >
              {PANE_TITLES[p]}
              {b && <span className={`badge badge-${b.tone ?? 'muted'}`}>{b.text}</span>}
            </button>
          );
        })}
      </div>
      <div className="pane-host" role="tabpanel">
        {children}
      </div>
    </section>
  );
}
