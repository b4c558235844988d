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

/** The messages floating over the editor: connection, link and run problems, and undo offers. */
export function Banners({ items }: { items: BannerItem[] }) {
  if (items.length === 0) return null;
  return (
    <div className="banners">
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
