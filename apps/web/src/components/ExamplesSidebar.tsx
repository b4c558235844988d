'use client';

import { useMemo, useState } from 'react';
import type { Example } from '../examples/types';

export interface ExamplesSidebarProps {
  examples: Example[] | null;
  error: string | null;
  current: string | undefined;
  unsupportedKinds: Map<string, string>;
  onPick(e: Example): void;
}

const CATEGORY_TITLES: Record<string, string> = {
  basics: 'Basics',
  tracing: 'Tracing',
  profiling: 'Profiling',
  networking: 'Networking',
  core: 'CO-RE',
  broken: 'Broken on purpose',
};

export function ExamplesSidebar(p: ExamplesSidebarProps) {
  const [q, setQ] = useState('');
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const m = new Map<string, Example[]>();
    for (const e of p.examples ?? []) {
      const hay = `${e.name} ${e.meta.title} ${e.meta.description} ${e.meta.kinds.join(' ')}`.toLowerCase();
      if (needle && !hay.includes(needle)) continue;
      const list = m.get(e.meta.category) ?? [];
      list.push(e);
      m.set(e.meta.category, list);
    }
    return [...m.entries()];
  }, [p.examples, q]);

  return (
    <aside className="sidebar" aria-label="Examples" data-testid="examples">
      <div className="sidebar-head">
        <input
          type="search"
          placeholder="Filter examples"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          aria-label="Filter examples"
          data-testid="examples-filter"
        />
      </div>
      <div className="sidebar-list">
        {p.error && <p className="muted error-text">{p.error}</p>}
        {p.examples === null && !p.error && <p className="muted">loading examples…</p>}
        {p.examples?.length === 0 && <p className="muted">No examples in bpf/ yet.</p>}
        {groups.map(([cat, list]) => (
          <section key={cat}>
            <h3>{CATEGORY_TITLES[cat] ?? cat}</h3>
            {list.map((e) => {
              const blocked = e.meta.kinds.filter((k) => p.unsupportedKinds.has(k));
              return (
                <button
                  key={e.name}
                  className={`example ${e.name === p.current ? 'example-current' : ''}`}
                  onClick={() => p.onPick(e)}
                  data-testid={`example-${e.name}`}
                  title={e.problem ?? e.meta.description}
                >
                  <span className="example-title">{e.meta.title}</span>
                  <span className="example-desc">{e.meta.description || e.problem}</span>
                  <span className="example-kinds">
                    {e.meta.kinds.map((k) => (
                      <span
                        key={k}
                        className={`kind ${p.unsupportedKinds.has(k) ? 'kind-off' : ''}`}
                        title={p.unsupportedKinds.get(k) ?? ''}
                      >
                        {k}
                      </span>
                    ))}
                    {blocked.length > 0 && <span className="muted"> (not on this kernel)</span>}
                  </span>
                </button>
              );
            })}
          </section>
        ))}
      </div>
    </aside>
  );
}
