import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StopReason } from '@bpfplay/protocol';

/**
 * One line of <dataDir>/audit.log: what a run asked the kernel to do and how it ended. It never
 * holds the token (only `tokenId`, a hash prefix) nor the snippet (only its hash: the operator can
 * match it against a shared snippet without the log becoming a copy of everyone's code).
 */
export interface AuditRecord {
  /** When the run ended, ISO 8601. */
  time: string;
  tokenId: string;
  sessionId: string;
  runId: string;
  /** sha256 over the snippet's file names and contents. */
  snippetHash: string;
  files: number;
  bytes: number;
  objectHash?: string;
  programs: { name: string; section: string; kind: string; loaded: boolean }[];
  attach: { program: string; kind: string; target: string; ok: boolean }[];
  outcome: StopReason;
  /** The stop message's first line, capped. */
  message: string;
  durations: { totalMs: number; queuedMs?: number; compileMs?: number; loadMs?: number; attachMs?: number };
  compile?: { ok: boolean; cache: 'hit' | 'pch' | 'cold' | 'shipped' };
  stats: { events: number; printk: number; dropped: number };
  maps?: { count: number; bytes: number };
}

/**
 * Appends records as JSON lines. Writes are chained so lines never interleave, and a failing disk
 * (full, read-only) costs a warning, never a run: auditing must not become a way to stop the agent.
 */
export class AuditLog {
  private chain: Promise<void> = Promise.resolve();
  private lastError?: string;
  private dirReady?: Promise<unknown>;
  /** Records that could not be written (each failure is also reported through `warn`, once per kind). */
  failures = 0;
  written = 0;

  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  write(record: AuditRecord): void {
    const line = `${JSON.stringify(record)}\n`;
    this.dirReady ??= mkdir(dirname(this.path), { recursive: true }).catch(() => undefined);
    this.chain = this.chain
      .then(() => this.dirReady)
      .then(() => appendFile(this.path, line, { mode: 0o600 }))
      .then(
        () => {
          this.written++;
        },
        (e: NodeJS.ErrnoException) => {
          this.failures++;
          const kind = e.code ?? e.message;
          if (kind !== this.lastError)
            this.warn(`cannot append to the audit log ${this.path}: ${e.message}; runs go on unaudited`);
          this.lastError = kind;
        },
      );
  }

  /** Resolves when every record written so far has reached the file (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }
}
