import { createHash } from 'node:crypto';
import { snippetBytes, type ServerMessage, type Snippet, type StopReason } from '@bpfplay/protocol';
import type { AuditRecord } from './audit-log.js';

/** sha256 over each file's name and content, in name order, so the same files always hash the same. */
export function snippetHash(snippet: Snippet): string {
  const h = createHash('sha256');
  for (const f of [...snippet.files].sort((a, b) => (a.name < b.name ? -1 : 1)))
    h.update(f.name).update('\0').update(f.content).update('\0');
  return h.digest('hex');
}

const MAX_MESSAGE = 300;

/**
 * What the agent side of a run learns on the way, gathered for its audit line. The runner's frames
 * arrive as JSON; only the few that say what was loaded and attached are parsed here (once per run).
 */
export class RunTrail {
  private readonly t0 = performance.now();
  private queuedAt?: number;
  private programs: AuditRecord['programs'] = [];
  private attach: AuditRecord['attach'] = [];
  private durations: Omit<AuditRecord['durations'], 'totalMs'> = {};
  private compile?: AuditRecord['compile'];
  private objectHash?: string;
  private maps?: AuditRecord['maps'];

  constructor(
    private readonly ids: { tokenId: string; sessionId: string; runId: string },
    private readonly snippet: Snippet,
  ) {}

  queued(position: number): void {
    if (position > 0) this.queuedAt ??= performance.now();
    else if (this.queuedAt !== undefined) this.durations.queuedMs = round(performance.now() - this.queuedAt);
  }

  compiled(r: {
    ok: boolean;
    cache: 'hit' | 'pch' | 'cold' | 'shipped';
    durationMs: number;
    objectHash?: string;
  }): void {
    this.compile = { ok: r.ok, cache: r.cache };
    this.durations.compileMs = round(r.durationMs);
    if (r.objectHash) this.objectHash = r.objectHash;
  }

  /** A runner frame (text or UTF-8 bytes); only `loaded` and `attached` are read, once each per run. */
  frame(type: ServerMessage['type'], json: string | Uint8Array): void {
    if (type !== 'loaded' && type !== 'attached') return;
    try {
      const text =
        typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8');
      const f = JSON.parse(text) as {
        programs?: { name: string; section: string; kind: string; loaded: boolean }[];
        maps?: { keySize: number; valueSize: number; maxEntries: number }[];
        links?: { program: string; kind: string; target: string; ok: boolean }[];
        durationMs?: number;
      };
      if (type === 'loaded') {
        this.programs = (f.programs ?? []).map(({ name, section, kind, loaded }) => ({ name, section, kind, loaded }));
        const maps = f.maps ?? [];
        this.maps = {
          count: maps.length,
          bytes: maps.reduce((n, m) => n + (m.keySize + m.valueSize) * m.maxEntries, 0),
        };
        if (f.durationMs !== undefined) this.durations.loadMs = round(f.durationMs);
      } else {
        this.attach = (f.links ?? []).map(({ program, kind, target, ok }) => ({ program, kind, target, ok }));
        if (f.durationMs !== undefined) this.durations.attachMs = round(f.durationMs);
      }
    } catch {
      // A frame the audit cannot read leaves its fields empty; the run itself is unaffected.
    }
  }

  record(outcome: StopReason, message: string, stats: AuditRecord['stats']): AuditRecord {
    const firstLine = message.split('\n')[0] ?? '';
    return {
      time: new Date().toISOString(),
      ...this.ids,
      snippetHash: snippetHash(this.snippet),
      files: this.snippet.files.length,
      bytes: snippetBytes(this.snippet.files),
      ...(this.objectHash ? { objectHash: this.objectHash } : {}),
      programs: this.programs,
      attach: this.attach,
      outcome,
      message: firstLine.length > MAX_MESSAGE ? `${firstLine.slice(0, MAX_MESSAGE)}…` : firstLine,
      durations: { totalMs: round(performance.now() - this.t0), ...this.durations },
      ...(this.compile ? { compile: this.compile } : {}),
      stats: { ...stats },
      ...(this.maps ? { maps: this.maps } : {}),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
