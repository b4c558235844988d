import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoReTargets, type UploadLimits } from '../../src/co-re/targets.js';

/** A small real BTF blob: the kernel's own, which every test machine has. */
const VMLINUX = readFileSync('/sys/kernel/btf/vmlinux');
const MiB = 1 << 20;
const size = VMLINUX.length;
const b64 = VMLINUX.toString('base64');

function targets() {
  return new CoReTargets(mkdtempSync(join(tmpdir(), 'bpfplay-uploads-')), []);
}

describe('BTF uploads are capped per session, per file and in total', () => {
  it('takes up to maxBtfUploadsPerSession files per session; a name used again replaces its file', () => {
    const t = targets();
    const limits: UploadLimits = {
      maxBtfUploadsPerSession: 2,
      maxBtfUploadBytes: 16 * MiB,
      maxBtfUploadBytesTotal: 64 * MiB,
    };
    expect(t.upload('s1', 'a', b64, limits)).toMatchObject({ types: expect.any(Number) });
    expect(t.upload('s1', 'b', b64, limits)).toMatchObject({ types: expect.any(Number) });
    expect(t.upload('s1', 'c', b64, limits)).toEqual({
      quota: true,
      error: expect.stringMatching(/this session has uploaded 2 BTF files \(limit 2\)/),
    });
    expect(t.upload('s1', 'a', b64, limits)).toMatchObject({ types: expect.any(Number) });
    // Another session has its own count.
    expect(t.upload('s2', 'c', b64, limits)).toMatchObject({ types: expect.any(Number) });
    expect(t.known('s1').sort()).toEqual(['a', 'b']);
  });

  it('refuses a file over maxBtfUploadBytes before decoding or writing it', () => {
    const t = targets();
    const limits: UploadLimits = {
      maxBtfUploadsPerSession: 4,
      maxBtfUploadBytes: MiB,
      maxBtfUploadBytesTotal: 64 * MiB,
    };
    const r = t.upload('s1', 'big', Buffer.alloc(2 * MiB).toString('base64'), limits);
    expect(r).toEqual({
      quota: true,
      error: expect.stringMatching(/"big" is 2\.0 MiB; this agent takes BTF files up to 1\.0 MiB/),
    });
    expect(t.path('s1', 'big')).toBeUndefined();
  });

  it("counts every session against maxBtfUploadBytesTotal, and frees a session's bytes and files when it ends", () => {
    const t = targets();
    const limits: UploadLimits = {
      maxBtfUploadsPerSession: 4,
      maxBtfUploadBytes: size,
      maxBtfUploadBytesTotal: size * 2,
    };
    expect(t.upload('s1', 'a', b64, limits)).toHaveProperty('types');
    expect(t.upload('s2', 'a', b64, limits)).toHaveProperty('types');
    expect(t.upload('s3', 'a', b64, limits)).toEqual({
      quota: true,
      error: expect.stringMatching(/the agent holds .* MiB of uploaded BTF and takes .* in all/),
    });
    const file = t.path('s1', 'a')!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    t.dropSession('s1');
    expect(existsSync(file)).toBe(false);
    expect(t.upload('s3', 'a', b64, limits)).toHaveProperty('types');
  });

  it('refuses names that are not a file name', () => {
    const t = targets();
    const limits: UploadLimits = {
      maxBtfUploadsPerSession: 4,
      maxBtfUploadBytes: 16 * MiB,
      maxBtfUploadBytesTotal: 64 * MiB,
    };
    for (const name of ['.', '..'])
      expect(t.upload('s1', name, b64, limits)).toEqual({ error: expect.stringMatching(/not a usable name/) });
  });
});
