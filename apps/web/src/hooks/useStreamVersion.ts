'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AgentStore } from '../state/agentStore';

/** Re-render with the streams (at most once per animation frame). Only panes that draw streams use it. */
export function useStreamVersion(store: AgentStore): number {
  return useSyncExternalStore(store.subscribe, store.getVersion, () => 0);
}

/** How often counters (tab badges, status bar, "N received") follow the streams. */
export const COUNTER_INTERVAL_MS = 250;

/**
 * How often the output panes redraw while records stream in: 30 times a second. Following a tail
 * at 100k records/s, a redraw re-lays out and repaints every visible row (~10 ms on this machine's
 * CPU), so drawing at every animation frame left no time for anything else; at 30 Hz the page
 * keeps its frames short and the tail still moves smoothly.
 */
export const PANE_INTERVAL_MS = 33;

/**
 * Re-render with the streams at most every `everyMs` (first change at once, the last one always
 * shown). For counters: a number that changes 60 times a second cannot be read anyway, and each
 * change outside the Events list made the browser lay out and repaint the whole page every frame
 * (measured at 100k records/s: ~10 ms of layout and ~6 ms of paint per frame on this machine).
 */
export function useThrottledStreamVersion(store: AgentStore, everyMs = COUNTER_INTERVAL_MS): number {
  const [version, setVersion] = useState(() => store.getVersion());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const show = () => {
      timer = undefined;
      last = performance.now();
      setVersion(store.getVersion());
    };
    const unsubscribe = store.subscribe(() => {
      if (timer !== undefined) return;
      const wait = last + everyMs - performance.now();
      if (wait <= 0) show();
      else timer = setTimeout(show, wait);
    });
    // A change between the first render and the subscription.
    setVersion(store.getVersion());
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [store, everyMs]);
  return version;
}
