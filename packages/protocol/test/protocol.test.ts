import { describe, expect, it } from 'vitest';
import {
  ExampleMeta,
  mainFileOf,
  parseClientMessage,
  parseServerMessage,
  Snippet,
  SNIPPET_LIMITS,
  utf8Length,
} from '../src/index.js';

const file = (name: string, content = 'int x;') => ({ name, content });

describe('snippets', () => {
  it('accepts a main .bpf.c with headers and finds the main file', () => {
    const s = Snippet.parse({ files: [file('a.h'), file('a.bpf.c')] });
    expect(mainFileOf(s.files, s.main)).toBe('a.bpf.c');
  });

  it('refuses names that could leave the snippet folder', () => {
    for (const name of ['../etc.h', '/etc/shadow', 'dir/x.c', '.hidden.c', 'a..b.c', 'x.sh']) {
      expect(Snippet.safeParse({ files: [file(name), file('m.bpf.c')] }).success, name).toBe(false);
    }
  });

  it('names the byte limit when a snippet is too large', () => {
    const r = Snippet.safeParse({ files: [file('m.bpf.c', 'é'.repeat(SNIPPET_LIMITS.maxTotalBytes / 2 + 1))] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/limit is 65536 bytes/);
  });

  it('needs exactly one obvious main file, or an explicit one that exists', () => {
    expect(Snippet.safeParse({ files: [file('a.bpf.c'), file('b.bpf.c')] }).success).toBe(false);
    expect(Snippet.safeParse({ files: [file('a.bpf.c'), file('b.bpf.c')], main: 'b.bpf.c' }).success).toBe(true);
    expect(Snippet.safeParse({ files: [file('a.bpf.c')], main: 'z.bpf.c' }).success).toBe(false);
    expect(Snippet.safeParse({ files: [file('a.bpf.c'), file('a.bpf.c')] }).success).toBe(false);
  });

  it('counts UTF-8 bytes as the wire does', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€']) expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });
});

describe('client messages', () => {
  it('parses a run message', () => {
    const r = parseClientMessage(
      JSON.stringify({ type: 'run', runId: 'r1', snippet: { files: [file('m.bpf.c')] }, options: { durationSec: 5 } }),
    );
    expect(r.ok && r.message.type).toBe('run');
  });

  it('explains bad JSON, unknown types and bad fields, keeping the runId', () => {
    const bad = parseClientMessage('{oops');
    expect(bad).toMatchObject({ ok: false, code: 'bad-json' });
    const unknown = parseClientMessage(JSON.stringify({ type: 'reboot' }));
    expect(unknown).toMatchObject({ ok: false, code: 'bad-message', type: 'reboot' });
    const field = parseClientMessage(
      JSON.stringify({ type: 'run', runId: 'r9', snippet: { files: [] }, options: { durationSec: 'x' } }),
    );
    expect(field).toMatchObject({ ok: false, code: 'bad-message', runId: 'r9' });
    if (!field.ok) expect(field.message).toMatch(/options\.durationSec/);
  });
});

describe('server messages', () => {
  it('parses every frame kind the agent sends with seq', () => {
    const frames = [
      { type: 'status', seq: 1, runId: 'r', state: 'running', t: 3 },
      { type: 'printk', seq: 2, runId: 'r', lines: [{ t: 1.5, cpu: 0, text: 'hi' }], dropped: 0 },
      {
        type: 'events',
        seq: 3,
        runId: 'r',
        source: 'rb',
        records: [{ t: 1, value: { pid: 1, comm: 'sh', nested: [1, '2'] } }],
        dropped: 4,
      },
      {
        type: 'stopped',
        seq: 4,
        runId: 'r',
        reason: 'timeout',
        message: 'limit',
        durationMs: 10,
        stats: { events: 1, printk: 1, dropped: 0 },
      },
    ];
    for (const f of frames) expect(parseServerMessage(JSON.stringify(f)).ok, f.type).toBe(true);
    // One JSON form of events: a record is an object with a Value; anything else is refused.
    const events = { type: 'events', seq: 5, runId: 'r', source: 'rb', records: [{ t: 1, value: 1 }], dropped: 0 };
    expect(parseServerMessage(JSON.stringify(events)).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ ...events, records: [[1, 'sh']] })).ok).toBe(false);
    expect(parseServerMessage(JSON.stringify({ type: 'status', runId: 'r', state: 'running', t: 3 })).ok).toBe(false);
  });
});

describe('example meta', () => {
  it('accepts the documented shape and refuses unknown stages', () => {
    const meta = { title: 't', description: 'd', kinds: ['tracepoint'], category: 'basics', expect: { printk: 'x' } };
    expect(ExampleMeta.safeParse(meta).success).toBe(true);
    expect(ExampleMeta.safeParse({ ...meta, expect: { fails: { stage: 'runtime', reason: 'x' } } }).success).toBe(
      false,
    );
  });
});
