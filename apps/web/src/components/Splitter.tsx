'use client';

import { useRef } from 'react';

/** The editor/output divider: drag with the mouse or move with ←/→ when focused. Percent of the width. */
export function Splitter({ value, onChange }: { value: number; onChange(v: number): void }) {
  const dragging = useRef(false);
  const clamp = (v: number) => Math.min(75, Math.max(25, v));
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-valuenow={Math.round(value)}
      aria-valuemin={25}
      aria-valuemax={75}
      aria-label="Resize editor and output"
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.key === 'ArrowLeft') onChange(clamp(value - 2));
        if (e.key === 'ArrowRight') onChange(clamp(value + 2));
      }}
      onPointerDown={(e) => {
        dragging.current = true;
        (e.target as HTMLElement).setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        if (!dragging.current) return;
        const parent = (e.currentTarget.parentElement as HTMLElement).getBoundingClientRect();
        const editor = e.currentTarget.previousElementSibling as HTMLElement | null;
        const left = editor ? editor.getBoundingClientRect().left : parent.left;
        onChange(clamp(((e.clientX - left) / (parent.right - left)) * 100));
      }}
      onPointerUp={() => {
        dragging.current = false;
      }}
    />
  );
}
