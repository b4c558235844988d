import type { Page } from '@playwright/test';

export interface FrameWindow {
  frames: number;
  /** Longest time between two animation frames. */
  maxGapMs: number;
  ms: number;
  /** Tasks over 50 ms on the page's thread (PerformanceObserver 'longtask'). */
  longTasks: number;
}

/** Counts the page's animation frames for `ms`, as a person would see them: gaps are frames late. */
export function measureFrames(page: Page, ms = 5000): Promise<FrameWindow> {
  return page.evaluate(
    (span) =>
      new Promise<FrameWindow>((resolve) => {
        let longTasks = 0;
        const obs = new PerformanceObserver((l) => (longTasks += l.getEntries().length));
        obs.observe({ type: 'longtask' });
        const t0 = performance.now();
        let last = t0;
        let frames = 0;
        let maxGap = 0;
        const tick = (t: number) => {
          frames++;
          maxGap = Math.max(maxGap, t - last);
          last = t;
          if (t - t0 < span) requestAnimationFrame(tick);
          else {
            obs.disconnect();
            resolve({ frames, maxGapMs: maxGap, ms: t - t0, longTasks });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}
