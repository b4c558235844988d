'use client';

import { useEffect, useRef } from 'react';

export interface ShortcutHandlers {
  run(): void;
  check(): void;
  stop(): void;
  pane(index: number): void;
  toggleExamples(): void;
  addFile(): void;
  toggleTheme(): void;
  settings(): void;
  help(): void;
}

/**
 * Page-wide keys. Inside Monaco, Mod+Enter / Esc / Mod+. are bound by the editor itself (it would
 * swallow them); these catch the same keys everywhere else.
 */
export function useShortcuts(h: ShortcutHandlers) {
  const ref = useRef(h);
  ref.current = h;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const inMonaco = !!t?.closest?.('.monaco-editor');
      const typing =
        !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      const inDialog = !!t?.closest?.('dialog');
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 'Enter' && !inMonaco) {
        e.preventDefault();
        if (e.shiftKey) ref.current.check();
        else ref.current.run();
        return;
      }
      if (((mod && e.key === '.') || (e.key === 'Escape' && !typing && !inDialog)) && !inMonaco) {
        e.preventDefault();
        ref.current.stop();
        return;
      }
      if (e.altKey && !mod) {
        // e.code: Alt+digit types other characters on some layouts (macOS Option).
        const digit = /^Digit([1-9])$/.exec(e.code);
        if (digit) {
          e.preventDefault();
          ref.current.pane(Number(digit[1]) - 1);
          return;
        }
        const map: Record<string, () => void> = {
          KeyE: ref.current.toggleExamples,
          KeyN: ref.current.addFile,
          KeyT: ref.current.toggleTheme,
          Comma: ref.current.settings,
        };
        const fn = map[e.code];
        if (fn) {
          e.preventDefault();
          fn();
          return;
        }
      }
      if (e.key === '?' && !typing && !inMonaco && !inDialog) {
        e.preventDefault();
        ref.current.help();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
