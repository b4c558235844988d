/**
 * Coalesce many change notifications into one per animation frame. At 100k records/s the agent
 * sends ~60 frames a second, and each used to re-render the panes; now the UI renders at most once
 * per display frame however many frames arrived.
 */
export function frameBatcher(schedule: (fn: () => void) => unknown, flush: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    schedule(() => {
      pending = false;
      flush();
    });
  };
}
