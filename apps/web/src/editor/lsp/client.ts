import type {
  ClientMessage,
  Diagnostic,
  LspDiagnostic,
  LspRange,
  LspRequest,
  LspResult,
  ServerMessage,
  ServerMessageOf,
  Snippet,
} from '@bpfplay/protocol';

export type LspStatus = ServerMessageOf<'lsp-status'>['state'] | 'offline';

export interface LspClientHooks {
  /** clangd's diagnostics of one file (already filtered: never older than what was shown). */
  diagnostics(file: string, diagnostics: LspDiagnostic[]): void;
  /** A compile-as-you-type check was sent. */
  checking(): void;
  /** The compile-as-you-type result of the snippet as it is now (stale ones are dropped). */
  checked(diagnostics: Diagnostic[], ok: boolean): void;
  status(state: LspStatus, message: string | undefined): void;
}

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How long the editor waits for an answer before it gives up on one request (the agent has its own limit). */
const REQUEST_TIMEOUT_MS = 15_000;
/** Compile as you type: this long after the last edit (issue 15: ~300 ms). */
export const CHECK_IDLE_MS = 300;

export const NO_HOOKS: LspClientHooks = {
  diagnostics: () => {},
  checking: () => {},
  checked: () => {},
  status: () => {},
};

type Pending = { resolve(r: LspResult | null): void; timer: unknown };

/**
 * The editor's side of the agent's LSP channel: a small client that knows nothing of Monaco
 * (providers.ts adapts it). It keeps the documents' versions, numbers requests and matches their
 * answers, drops diagnostics older than the text, and schedules compile-as-you-type checks. A
 * request that cannot be answered (no connection, an error, a timeout) resolves to null: the
 * editor then simply shows nothing, as it would without an agent.
 */
export class LspClient {
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly versions = new Map<string, number>();
  private readonly shown = new Map<string, number>();
  private snippet: Snippet | null = null;
  private checkTimer: unknown = null;
  private checkSnippet: (() => Snippet | null) | null = null;
  private lastCheck: string | null = null;
  private checks = 0;
  state: LspStatus = 'offline';
  hooks: LspClientHooks = NO_HOOKS;

  constructor(
    private readonly send: (m: ClientMessage) => boolean,
    private readonly clock: Clock,
  ) {}

  /** The socket reached `hello` (true) or dropped (false): documents are sent again on the new socket. */
  setReady(ready: boolean): void {
    if (ready === this.ready) return;
    this.ready = ready;
    if (!ready) {
      for (const [id, p] of this.pending) this.finish(id, p, null);
      this.setState('offline', undefined);
      return;
    }
    if (this.snippet) this.open(this.snippet);
    this.lastCheck = null;
    if (this.checkSnippet) this.scheduleCheck(this.checkSnippet);
  }

  /** The editor's files as they are now: the agent's clangd starts over with them (versions from 0). */
  open(snippet: Snippet): void {
    this.snippet = snippet;
    this.versions.clear();
    this.shown.clear();
    for (const f of snippet.files) this.versions.set(f.name, 0);
    if (this.ready) this.send({ type: 'lsp-open', snippet });
  }

  /** Typing in a file that was opened: LSP incremental changes. */
  change(file: string, changes: { range?: LspRange; text: string }[]): void {
    const v = this.versions.get(file);
    if (v === undefined || !this.ready) return;
    this.versions.set(file, v + 1);
    this.send({ type: 'lsp-change', file, version: v + 1, changes });
  }

  /** One request; null when there is no answer to show. `signal` cancels it (the editor moved on). */
  request<M extends LspRequest['method']>(
    request: Extract<LspRequest, { method: M }>,
    signal?: { onCancel(fn: () => void): void },
  ): Promise<Extract<LspResult, { method: M }> | null> {
    if (!this.ready) return Promise.resolve(null);
    const id = this.nextId++;
    if (!this.send({ type: 'lsp-request', id, request })) return Promise.resolve(null);
    return new Promise((resolve) => {
      const p: Pending = {
        resolve: resolve as (r: LspResult | null) => void,
        timer: this.clock.setTimeout(() => this.finish(id, p, null), REQUEST_TIMEOUT_MS),
      };
      this.pending.set(id, p);
      signal?.onCancel(() => {
        if (!this.pending.has(id)) return;
        this.send({ type: 'lsp-cancel', id });
        this.finish(id, p, null);
      });
    });
  }

  /**
   * Compile the snippet as Run would, CHECK_IDLE_MS after the last call (each edit calls again),
   * so the Run that follows finds the object compiled. Only a changed snippet is sent.
   */
  scheduleCheck(snippet: () => Snippet | null): void {
    this.checkSnippet = snippet;
    if (this.checkTimer !== null) this.clock.clearTimeout(this.checkTimer);
    this.checkTimer = this.clock.setTimeout(() => {
      this.checkTimer = null;
      const s = snippet();
      if (!s || !this.ready) return;
      const key = JSON.stringify(s);
      if (key === this.lastCheck) return;
      this.lastCheck = key;
      if (this.send({ type: 'check', checkId: `c${++this.checks}`, snippet: s })) this.hooks.checking();
    }, CHECK_IDLE_MS);
  }

  /** Takes the LSP frames of the agent's stream; false for every other frame. */
  receive(m: ServerMessage): boolean {
    switch (m.type) {
      case 'lsp-response': {
        const p = this.pending.get(m.id);
        if (p) this.finish(m.id, p, m.error !== undefined ? null : (m.result ?? null));
        return true;
      }
      case 'lsp-diagnostics': {
        const current = this.versions.get(m.file);
        const shown = this.shown.get(m.file) ?? -1;
        const v = m.version ?? current ?? 0;
        // Older than what is on screen, or than the text the agent has: a newer set is on its way.
        if (current === undefined || v < shown || v > current) return true;
        this.shown.set(m.file, v);
        this.hooks.diagnostics(m.file, m.diagnostics);
        return true;
      }
      case 'lsp-status':
        this.setState(m.state, m.message);
        return true;
      case 'checked':
        // Only the latest check speaks; an edit since then has scheduled the next one.
        if (m.checkId === `c${this.checks}`) this.hooks.checked(m.diagnostics, m.ok);
        return true;
      default:
        return false;
    }
  }

  private setState(state: LspStatus, message: string | undefined): void {
    this.state = state;
    this.hooks.status(state, message);
  }

  private finish(id: number, p: Pending, r: LspResult | null): void {
    this.pending.delete(id);
    this.clock.clearTimeout(p.timer);
    p.resolve(r);
  }
}
