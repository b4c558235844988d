'use client';

import type { ReactNode } from 'react';
import type { AgentStore } from '../state/agentStore';
import { useThrottledStreamVersion } from '../hooks/useStreamVersion';

export const PANES = ['problems', 'console', 'events', 'maps', 'verifier', 'disasm', 'core', 'params', 'log'] as const;
export type PaneId = (typeof PANES)[number];

export const PANE_TITLES: Record<PaneId, string> = {
  problems: 'Problems',
  console: 'Console',
  events: 'Events',
  maps: 'Maps',
  verifier: 'Verifier',
  disasm: 'Disasm',
  core: 'CO-RE',
  params: 'Params',
  log: 'Log',
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
  children,
}: {
  active: PaneId;
  store: AgentStore;
  badgesOf(): Partial<Record<PaneId, PaneBadge>>;
  onSelect(p: PaneId): void;
  children: ReactNode;
}) {
  // The counts on the tabs move with the streams; the panes below subscribe on their own.
  useThrottledStreamVersion(store);
  const badges = badgesOf();
  return (
    <section className="output" aria-label="Output">
      <div className="pane-tabs" role="tablist">
        {PANES.map((p, i) => {
          const b = badges[p];
          return (
            <button
              key={p}
              role="tab"
              aria-selected={p === active}
              className={`pane-tab ${p === active ? 'pane-tab-active' : ''}`}
              onClick={() => onSelect(p)}
              title={`${PANE_TITLES[p]} (Alt+${i + 1})`}
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
