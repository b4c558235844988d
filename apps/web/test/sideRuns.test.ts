import { describe, expect, it } from 'vitest';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { buildPacket, packetHex } from '@bpfplay/protocol';
import { AgentStore } from '../src/state/agentStore';
import { EXPORT_FORMATS, projectDownload } from '../src/hooks/useSideRuns';

const snippet = { files: [{ name: 'pong.bpf.c', content: 'int x;' }] };

function project(runId: string): ServerMessageOf<'project'> {
  return {
    type: 'project',
    seq: 5,
    runId,
    name: 'pong',
    files: [
      { path: 'pong.bpf.c', content: 'int x;' },
      { path: 'include/bpf/bpf_helpers.h', content: '/* shim */' },
      { path: 'Makefile', content: 'all:\n' },
    ],
    object: Buffer.from('\x7fELF-bytes').toString('base64'),
    notes: [],
  };
}

/** Names in a ustar archive, read from its 512-byte headers. */
function tarNames(tar: Uint8Array): string[] {
  const names: string[] = [];
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const field = (a: number, n: number) => new TextDecoder().decode(h.subarray(a, a + n)).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12), 8);
    names.push(field(0, 100));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

/** Names in a .zip, read from its central directory records (signature PK\x01\x02). */
function zipNames(zip: Uint8Array): string[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const names: string[] = [];
  for (let off = 0; off + 46 <= zip.length; off++) {
    if (v.getUint32(off, true) !== 0x02014b50) continue;
    const len = v.getUint16(off + 28, true);
    names.push(new TextDecoder().decode(zip.subarray(off + 46, off + 46 + len)));
    off += 45 + len;
  }
  return names;
}

describe('Export and Packet lab runs beside the main run', () => {
  it('an export is its own run: the main run keeps its output, the project becomes a .tar of the project folder', () => {
    const s = new AgentStore(
      () => {},
      () => 0,
    );
    const main = s.startRun(snippet, { durationSec: 5 });
    const exp = s.startSide('export', snippet, { params: { drop: true } });
    if (exp.type !== 'run' || main.type !== 'run') throw new Error('expected run messages');
    expect(exp.options).toEqual({ params: { drop: true }, mode: 'export' });
    expect(exp.runId).not.toBe(main.runId);
    s.handle({ type: 'status', seq: 1, runId: exp.runId, state: 'compiling', t: 0 });
    s.handle(project(exp.runId));
    s.handle({
      type: 'stopped',
      seq: 6,
      runId: exp.runId,
      reason: 'finished',
      message: 'exported',
      durationMs: 10,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    expect(s.run?.runId).toBe(main.runId);
    expect(s.run?.state).toBe('sent');
    const side = s.side.runs.export!;
    expect(side.state).toBe('done');
    expect(side.error).toBeNull();
    const tar = projectDownload(side.project!, 'tar');
    expect(tar.name).toBe('pong.tar');
    expect(tarNames(tar.bytes)).toEqual([
      'pong/',
      'pong/pong.bpf.c',
      'pong/include/bpf/bpf_helpers.h',
      'pong/Makefile',
    ]);
    const zip = projectDownload(side.project!, 'zip');
    expect(zip.name).toBe('pong.zip');
    expect(zipNames(zip.bytes)).toEqual(['pong/pong.bpf.c', 'pong/include/bpf/bpf_helpers.h', 'pong/Makefile']);
    const o = projectDownload(side.project!, 'o');
    expect(o.name).toBe('pong.bpf.o');
    expect(new TextDecoder().decode(o.bytes)).toBe('\x7fELF-bytes');
    // The Export menu offers exactly these three, each label naming the extension of what it downloads.
    expect(EXPORT_FORMATS.map((f) => f.format)).toEqual(['tar', 'zip', 'o']);
    for (const f of EXPORT_FORMATS)
      expect(projectDownload(side.project!, f.format).name.endsWith(f.label.split(' ').at(-1)!)).toBe(true);
  });

  it('a failed export keeps the compiler’s words; a test run collects one result per program', () => {
    const s = new AgentStore(
      () => {},
      () => 0,
    );
    const exp = s.startSide('export', snippet, {});
    if (exp.type !== 'run') throw new Error('expected a run message');
    s.handle({
      type: 'compiled',
      seq: 1,
      runId: exp.runId,
      ok: false,
      diagnostics: [{ file: 'pong.bpf.c', line: 3, col: 1, severity: 'error', message: 'expected ;' }],
      durationMs: 1,
      cache: 'cold',
      output: '',
    });
    s.handle({
      type: 'stopped',
      seq: 2,
      runId: exp.runId,
      reason: 'compile-error',
      message: 'compile failed',
      durationMs: 1,
      stats: { events: 0, printk: 0, dropped: 0 },
    });
    expect(s.side.runs.export).toMatchObject({ error: 'compile failed', diagnostics: ['pong.bpf.c:3:1: expected ;'] });

    const hex = packetHex(buildPacket('icmp'));
    const lab = s.startSide('test-run', snippet, { packet: { hex, repeat: 2 } });
    if (lab.type !== 'run') throw new Error('expected a run message');
    expect(lab.options?.mode).toBe('test-run');
    s.handle({
      type: 'test-run',
      seq: 3,
      runId: lab.runId,
      program: 'xdp_pong',
      section: 'xdp',
      kind: 'xdp',
      retval: 3,
      verdict: 'XDP_TX',
      repeat: 2,
      durationNs: 40,
      dataIn: hex,
      dataOut: hex,
      mapChanges: [],
    });
    expect(s.side.runs['test-run']?.tests.map((t) => t.verdict)).toEqual(['XDP_TX']);
    expect(s.run).toBeNull();
  });
});
