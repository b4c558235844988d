import { describe, expect, it } from 'vitest';
import type { CoreRelocation, ServerMessageOf } from '@bpfplay/protocol';
import { BtfUploads, MAX_BTF_UPLOAD_BYTES, bytesToBase64, uploadName } from '../src/state/btfUploads';
import { coreColumns, coreSummary, summaryText, toggleTarget } from '../src/state/coReTable';
import { runRequest } from '../src/state/runRequest';
import { AgentStore } from '../src/state/agentStore';
import { DEFAULT_SETTINGS, type Workspace } from '../src/state/workspace';
import { hello } from './fixtures';

const relo = (access: string, results: CoreRelocation['results']): CoreRelocation => ({
  program: 'p',
  insn: 1,
  kind: 'field_byte_offset',
  typeName: 'task_struct',
  access,
  spec: '0:1',
  results,
});

describe('CO-RE results side by side', () => {
  const relos = [
    relo('task_struct->pid', [
      { target: 'debian-6.1-cloud', ok: true, value: 2464 },
      { target: 'this kernel', ok: true, value: 2496 },
    ]),
    relo('task_struct___pre514->state', [
      { target: 'this kernel', ok: false, poisoned: true, message: 'field `state` not found' },
      { target: 'debian-6.1-cloud', ok: false, message: 'ambiguous' },
    ]),
  ];

  it('puts this kernel first, then the other kernels', () => {
    expect(coreColumns(relos)).toEqual(['this kernel', 'debian-6.1-cloud']);
  });

  it('counts a poisoned relocation apart from a failing one (it fails only if reached)', () => {
    const s = coreSummary(relos, coreColumns(relos));
    expect(s).toEqual([
      { target: 'this kernel', total: 2, failing: 0, poisoned: 1 },
      { target: 'debian-6.1-cloud', total: 2, failing: 1, poisoned: 0 },
    ]);
    expect(s.map(summaryText)).toEqual([
      'this kernel: 1 of 2 resolve, 1 poisoned (fails only if reached)',
      'debian-6.1-cloud: 1 of 2 fail',
    ]);
  });

  it("keeps at most the protocol's 8 targets, dropping the oldest pick", () => {
    const nine = Array.from({ length: 9 }, (_, i) => `k${i}`).reduce<string[]>(
      (acc, t) => toggleTarget(acc, t, true, 8),
      [],
    );
    expect(nine).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8']);
    expect(toggleTarget(['a', 'b'], 'a', false, 8)).toEqual(['b']);
  });
});

describe('BTF uploads', () => {
  it('names an upload as the protocol allows, without .btf', () => {
    expect(uploadName('vmlinux-5.10.btf')).toBe('vmlinux-5.10');
    expect(uploadName('C:\\kernels\\my kernel (6.1).btf')).toBe('my-kernel-6.1');
    expect(uploadName('???')).toBe('uploaded-btf');
  });

  it('encodes large files to the same base64 as Node', () => {
    const bytes = new Uint8Array(300_001).map((_, i) => (i * 7) & 0xff);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('tracks an upload from sending to ready, and claims a refusal for the upload waiting', () => {
    const u = new BtfUploads();
    const a = u.add('a.btf', new Uint8Array([1, 2, 3]));
    expect(a).toEqual({ ok: true, name: 'a', message: { type: 'btf-upload', name: 'a', data: 'AQID' } });
    u.add('b.btf', new Uint8Array([4]));
    u.uploaded({ type: 'btf-uploaded', seq: 1, name: 'a', types: 120 });
    const runError: ServerMessageOf<'error'> = {
      type: 'error',
      seq: 2,
      code: 'bad-message',
      message: 'x',
      runId: 'r1',
    };
    expect(u.failed(runError)).toBe(false);
    expect(u.failed({ type: 'error', seq: 3, code: 'busy', message: 'agent busy' })).toBe(false);
    expect(u.failed({ type: 'error', seq: 4, code: 'bad-message', message: '"b" is not raw BTF' })).toBe(true);
    expect(u.list).toEqual([
      { name: 'a', bytes: 3, state: 'ready', types: 120 },
      { name: 'b', bytes: 1, state: 'failed', error: '"b" is not raw BTF' },
    ]);
    expect(u.ready()).toEqual(['a']);
    // A new agent session gets the good one again, not the refused one.
    expect(u.resend()).toEqual([{ type: 'btf-upload', name: 'a', data: 'AQID' }]);
    expect(u.list[0]!.state).toBe('sending');
  });

  it("marks an upload the agent's caps refused as failed, with the agent's words", () => {
    const u = new BtfUploads();
    u.add('vmlinux-5.10.btf', new Uint8Array([1]));
    const message = 'this session has uploaded 4 BTF files (limit 4); reload the page to start over';
    expect(u.failed({ type: 'error', seq: 1, code: 'quota', message })).toBe(true);
    expect(u.list).toEqual([{ name: 'vmlinux-5.10', bytes: 1, state: 'failed', error: message }]);
  });

  it('refuses empty files and files too big for one message before sending', () => {
    const u = new BtfUploads();
    expect(u.add('e.btf', new Uint8Array())).toMatchObject({ ok: false, error: expect.stringContaining('is empty') });
    expect(u.add('huge.btf', new Uint8Array(MAX_BTF_UPLOAD_BYTES + 1))).toMatchObject({
      ok: false,
      error: expect.stringContaining('is it really a BTF file?'),
    });
    expect(u.list).toEqual([]);
  });

  it('reaches the store: btf-uploaded marks the upload ready', () => {
    const s = new AgentStore(
      () => 0,
      () => 0,
    );
    const r = s.uploadBtf('k.btf', new Uint8Array([9]));
    expect(r.ok).toBe(true);
    s.handle({ type: 'btf-uploaded', seq: 1, name: 'k', types: 5 });
    expect(s.uploads.list).toEqual([{ name: 'k', bytes: 1, state: 'ready', types: 5 }]);
  });
});

describe('the run request', () => {
  const ws: Workspace = {
    version: 3,
    snippet: {
      files: [{ name: 'p.bpf.c', content: 'saved' }],
      active: 'p.bpf.c',
      params: { n: 1 },
      coreTargets: ['debian-6.1-cloud', 'gone-upload'],
    },
    settings: { ...DEFAULT_SETTINGS, durationSec: 900 },
  };
  const h = { ...hello, capabilities: { ...hello.capabilities, coreTargets: ['debian-6.1-cloud'] } };

  it('asks only for CO-RE targets the agent knows, caps the duration, sends the editor text, asks for binary events', () => {
    const r = runRequest(ws, { mode: 'compile', hello: h, textOf: () => 'typed' });
    expect(r).toEqual({
      ok: true,
      snippet: { files: [{ name: 'p.bpf.c', content: 'typed' }], main: 'p.bpf.c' },
      options: {
        durationSec: 600,
        params: { n: 1 },
        perfFrequency: 99,
        mapIntervalMs: 1000,
        mode: 'compile',
        eventFormat: 'binary',
        coreTargets: ['debian-6.1-cloud'],
      },
    });
    const withUpload = runRequest(ws, {
      mode: 'run',
      hello: h,
      knownTargets: new Set(['debian-6.1-cloud', 'gone-upload']),
    });
    expect(withUpload.ok && withUpload.options.coreTargets).toEqual(['debian-6.1-cloud', 'gone-upload']);
  });

  it('says why when there is nothing to compile', () => {
    const none = { ...ws, snippet: { ...ws.snippet, files: [{ name: 'a.h', content: '' }], active: 'a.h' } };
    expect(runRequest(none, { mode: 'run', hello: h })).toEqual({
      ok: false,
      error: 'no .bpf.c file to compile: add one',
    });
  });
});
