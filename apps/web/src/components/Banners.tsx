'use client';

import type { ReactNode } from 'react';

export interface BannerItem {
  key: string;
  level: 'error' | 'warning' | 'info';
  text: ReactNode;
  testId?: string;
  /** Buttons after the text (dismiss, undo, …). */
  actions?: { label: string; onClick(): void; testId?: string }[];
}

/**
 * Connection, link and run problems, and undo offers: a strip under the toolbar that pushes the
 * page down rather than covering the output (always rendered: the page's grid has a row for it).
 */
export function Banners({ items }: { items: BannerItem[] }) {
  return (
    <div className="banners" data-testid="banners">
      {items.map((b) => (
        <div
          key={b.key}
          className={`banner banner-${b.level}`}
          role={b.level === 'info' ? undefined : 'alert'}
          data-testid={b.testId}
        >
          {b.text}
          {b.actions?.map((a) => (
            <button key={a.label} className="btn-small" onClick={a.onClick} data-testid={a.testId}>
              {a.label}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
