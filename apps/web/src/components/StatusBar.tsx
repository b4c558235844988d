'use client';

import type { RunView } from '../state/run';
import { statusChips } from '../state/statusLine';
import { connectionStatus } from '../state/socket/connectionState';
import { formatCount } from '../state/format';
import type { AgentStore } from '../state/agentStore';
import { useThrottledStreamVersion } from '../hooks/useStreamVersion';

export function StatusBar({
  store,
  run,
  now,
  saveError,
}: {
  store: AgentStore;
  run: RunView | null;
  now: number;
  saveError: string | null;
}) {
  useThrottledStreamVersion(store);
  const s = store.streams;
  const events = s.eventsReceived;
  const printk = s.printk.total;
  const dropped = s.eventsDropped + s.printkDropped;
  const chips = run ? statusChips(run, now) : [];
  const idle = connectionStatus(store.connection, now);
  return (
    <footer className="statusbar" data-testid="status" aria-live="polite">
      <div className="chips" data-state={run?.state ?? 'idle'}>
        {(chips.length === 0 || store.connection.kind !== 'ready') && (
          <span className={`chip chip-${idle.tone}`} data-step="connection">
            {idle.text}
            {chips.length > 0 && <span className="arrow"> · last run:</span>}
          </span>
        )}
        {chips.map((c, i) => (
          <span key={c.key} className={`chip chip-${c.tone}`} data-step={c.key}>
            {i > 0 && <span className="arrow">→</span>}
            {c.label}
          </span>
        ))}
      </div>
      <div className="counters">
        {saveError && (
          <span className="chip chip-error" title={saveError}>
            autosave off
          </span>
        )}
        {run && (
          <>
            <span title="Decoded records received">events {formatCount(events)}</span>
            <span title="printk lines received">printk {formatCount(printk)}</span>
            <span className={dropped ? 'warn' : ''} title="Records and lines the agent reported lost">
              dropped {formatCount(dropped)}
            </span>
          </>
        )}
      </div>
    </footer>
  );
}
