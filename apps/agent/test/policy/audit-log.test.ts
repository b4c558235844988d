import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { RunTrail, snippetHash } from '../../src/audit/run-trail.js';

const snippet = {
  files: [
    { name: 'p.bpf.c', content: 'int x;' },
    { name: 'p.h', content: '#define A 1' },
  ],
};

describe('audit log', () => {
  it('appends one JSON line per run with ids, hashes, programs, attach points, outcome and figures — never the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-audit-'));
    const log = new AuditLog(join(dir, 'sub', 'audit.log'));
    const trail = new RunTrail({ tokenId: 'abc123', sessionId: 's1', runId: 'r1' }, snippet);
    trail.queued(2);
    trail.queued(0);
    trail.compiled({ ok: true, cache: 'pch', durationMs: 175.26, objectHash: 'f00' });
    trail.frame(
      'loaded',
      JSON.stringify({
        type: 'loaded',
        programs: [{ name: 'h', section: 'tp/a/b', kind: 'tracepoint', insns: 4, loaded: true }],
        maps: [{ keySize: 4, valueSize: 8, maxEntries: 10 }],
        durationMs: 12.34,
      }),
    );
    trail.frame(
      'attached',
      JSON.stringify({
        type: 'attached',
        links: [{ program: 'h', kind: 'tracepoint', target: 'a/b', ok: true }],
        durationMs: 1,
      }),
    );
    trail.frame('events', '{not even json');
    log.write(trail.record('user', 'stopped by the user\nsecond line', { events: 5, printk: 2, dropped: 1 }));
    log.write(
      new RunTrail({ tokenId: 'abc123', sessionId: 's1', runId: 'r2' }, snippet).record(
        'compile-error',
        'compile failed',
        { events: 0, printk: 0, dropped: 0 },
      ),
    );
    await log.flush();
    const lines = readFileSync(log.path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      tokenId: 'abc123',
      sessionId: 's1',
      runId: 'r1',
      snippetHash: snippetHash(snippet),
      files: 2,
      bytes: 17,
      objectHash: 'f00',
      programs: [{ name: 'h', section: 'tp/a/b', kind: 'tracepoint', loaded: true }],
      attach: [{ program: 'h', kind: 'tracepoint', target: 'a/b', ok: true }],
      outcome: 'user',
      message: 'stopped by the user',
      compile: { ok: true, cache: 'pch' },
      stats: { events: 5, printk: 2, dropped: 1 },
      maps: { count: 1, bytes: 120 },
      durations: { compileMs: 175.3, loadMs: 12.3, attachMs: 1 },
    });
    expect(typeof first.durations.queuedMs).toBe('number');
    expect(new Date(first.time).getTime()).not.toBeNaN();
    expect(JSON.parse(lines[1]!)).toMatchObject({ runId: 'r2', outcome: 'compile-error', programs: [] });
    expect(log.written).toBe(2);
  });

  it('hashes the same files the same way whatever their order', () => {
    expect(snippetHash({ files: [...snippet.files].reverse() })).toBe(snippetHash(snippet));
    expect(snippetHash({ files: [{ name: 'p.bpf.c', content: 'int y;' }] })).not.toBe(snippetHash(snippet));
  });

  it('keeps going when the file cannot be written, and warns once', async () => {
    const warnings: string[] = [];
    const log = new AuditLog('/proc/version/audit.log', (w) => warnings.push(w));
    const trail = new RunTrail({ tokenId: 't', sessionId: 's', runId: 'r' }, snippet);
    for (let i = 0; i < 3; i++) log.write(trail.record('finished', 'done', { events: 0, printk: 0, dropped: 0 }));
    await log.flush();
    expect(log.failures).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot append to the audit log \/proc\/version\/audit\.log.*runs go on unaudited/);
  });
});
