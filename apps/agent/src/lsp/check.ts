import type { CheckMessage, ServerPayload } from '@bpfplay/protocol';
import type { Compiler } from '../compile/index.js';

/**
 * Compile as you type: the editor sends `check` ~300 ms after the last edit; the agent compiles
 * the snippet exactly as a Run would (same cache key), so the Run that follows finds the object in
 * the cache, and the backend's diagnostics (which clangd, parsing only, never sees: BPF codegen
 * errors) are current. A session has one check at a time: the next one cancels it, and a
 * cancelled check sends nothing.
 */
export class CheckRunner {
  private current: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly compiler: Compiler,
    private readonly send: (p: ServerPayload) => void,
  ) {}

  check(m: CheckMessage): void {
    this.current?.abort();
    const ctl = new AbortController();
    this.current = ctl;
    void this.compiler.compile(m.snippet, { signal: ctl.signal }).then(
      (r) => {
        if (ctl.signal.aborted || this.closed) return;
        if (this.current === ctl) this.current = undefined;
        this.send({
          type: 'checked',
          checkId: m.checkId,
          ok: r.ok,
          diagnostics: r.diagnostics,
          durationMs: r.durationMs,
          cache: r.cache,
        });
      },
      (e: Error) => {
        if (ctl.signal.aborted || this.closed) return;
        // The compile queue is full: a check is an optimisation; say so without an error banner.
        this.send({
          type: 'checked',
          checkId: m.checkId,
          ok: false,
          diagnostics: [{ file: '', line: 0, col: 0, severity: 'note', message: `not checked: ${e.message}` }],
          durationMs: 0,
          cache: 'cold',
        });
      },
    );
  }

  close(): void {
    this.closed = true;
    this.current?.abort();
  }
}
