import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServerMessage, type ServerMessageOf } from '@bpfplay/protocol';
import { Transcript } from '../../src/cli/format.js';
import { REPO } from '../harness/agent-process.js';
import { cliOutput } from '../harness/cli.js';
import { requireKernel } from '../harness/kernel.js';

/** Frames as the agent sends them, through the protocol's own parser. */
const frame = <T extends ServerMessage['type']>(m: Record<string, unknown> & { type: T }): ServerMessageOf<T> =>
  ServerMessage.parse({ seq: 1, runId: 'r', ...m }) as ServerMessageOf<T>;

describe('events in a terminal', () => {
  it('are aligned columns under a header of field names, the way execsnoop prints them', async () => {
    const t = new Transcript();
    const out = [
      t.format(
        frame({
          type: 'schema',
          source: 'events',
          recordType: 'struct event',
          fields: [
            { name: 'pid', type: 'pid_t' },
            { name: 'ret', type: 'int' },
            { name: 'comm', type: 'char[16]' },
            { name: 'filename', type: 'char[127]' },
          ],
        }),
      ),
      t.format(
        frame({
          type: 'events',
          source: 'events',
          dropped: 0,
          records: [
            { t: 12, value: { pid: 4242, ret: 0, comm: 'sh', filename: '/usr/bin/sh' } },
            {
              t: 1500,
              value: { pid: 7, ret: -2, comm: 'a-very-long-comm', filename: '/usr/lib/x86_64-linux-gnu/libc.so.6' },
              // A field with a readable form prints it, not its number.
              shown: { ret: '-ENOENT' },
            },
            { t: 1510, value: { pid: 12345678, ret: 3, comm: 'ls', filename: '/usr/bin/ls' } },
          ],
        }),
      ),
    ].join('\n');
    await expect(`${out}\n`).toMatchFileSnapshot('golden/events-table.txt');
    expect(out).not.toContain('{');
    expect(out).toMatch(/ -ENOENT a-very-long-comm /);
  });

  it('keeps records it cannot decode readable: hex under one DATA column, with the reason first', () => {
    const t = new Transcript();
    const head = t.format(
      frame({ type: 'schema', source: 'rb', fields: [], undecodedReason: 'no struct event in the object' }),
    );
    const rows = t.format(frame({ type: 'events', source: 'rb', dropped: 3, records: [{ t: 1, value: '0a0b0c' }] }));
    expect(head).toBe('events from rb shown as hex: no struct event in the object\n TIME(s) DATA');
    expect(rows).toBe('   0.001 0a0b0c\n(3 rb records dropped)');
  });
});

describe('a terminal run, as a learner types it', () => {
  it('prints a header and rows, and nothing from libbpf about our own sections', async () => {
    requireKernel();
    const dir = join(REPO, 'bpf/execsnoop');
    const r = await cliOutput([
      'run',
      join(dir, 'execsnoop.bpf.c'),
      join(dir, 'execsnoop.h'),
      '--duration',
      '2',
      '--trigger',
      '/bin/true',
    ]);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(r.code, all).toBe(0);
    expect(all).not.toMatch(/unrecognized data section|bpfplay\.types/);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => /^\s*TIME\(s\)\s+PID\s+PPID\s+UID\s+COMM\s+FILENAME$/.test(l));
    expect(header, r.stdout).toBeGreaterThanOrEqual(0);
    // The trigger's own exec, in the columns the header names.
    const row = lines.slice(header + 1).find((l) => /\s\/(usr\/)?bin\/true$/.test(l));
    expect(row, r.stdout).toBeDefined();
    const at = (l: string, word: string) => l.indexOf(word);
    expect(at(row!, 'true') > 0 && at(lines[header]!, 'COMM') > 0).toBe(true);
    expect(r.stdout).not.toMatch(/"filename":/);
  });
});
