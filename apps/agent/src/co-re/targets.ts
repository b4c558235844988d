import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '@bpfplay/btf';
import type { AgentLimits } from '../limits.js';

/** The upload limits (limits.ts), per session and for the whole agent. */
export type UploadLimits = Pick<
  AgentLimits,
  'maxBtfUploadsPerSession' | 'maxBtfUploadBytes' | 'maxBtfUploadBytesTotal'
>;

/**
 * The BTF files a run can check its CO-RE relocations against: each kernel of the matrix, the ones shipped with the agent
 * (apps/agent/btf/<name>.btf), any the operator drops into <dataDir>/btf, and the ones a session
 * uploaded (another kernel's /sys/kernel/btf/vmlinux), which only that session sees and which go
 * when it does.
 */
export class CoReTargets {
  /** name → path; uploads are keyed `<sessionId>/<name>`. */
  private readonly paths = new Map<string, string>();
  /** Uploads' sizes on disk, by the same key: what the upload limits count. */
  private readonly uploaded = new Map<string, number>();

  constructor(
    /** Where uploads are kept (<dataDir>/btf-uploads/<session>/<name>). */
    private readonly uploadDir: string,
    bundledDirs: string[],
    /** The kernel matrix (guest/kernels.ts): each kernel's name, e.g. `6.1`, is also its run target. */
    kernels: { name: string; btf: string }[] = [],
  ) {
    for (const k of kernels) if (existsSync(k.btf)) this.paths.set(k.name, k.btf);
    for (const dir of bundledDirs) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f.endsWith('.btf')) this.paths.set(f.slice(0, -4), join(dir, f));
    }
  }

  /** The bundled names, for `hello.capabilities.coreTargets`. */
  bundled(): string[] {
    return [...this.paths.keys()].filter((k) => !k.includes('/'));
  }

  /** The file for `name` as `sessionId` sees it: its own upload first, then a bundled one. */
  path(sessionId: string, name: string): string | undefined {
    return this.paths.get(`${sessionId}/${name}`) ?? this.paths.get(name);
  }

  /** The names `sessionId` can use: bundled ones and its own uploads. */
  known(sessionId: string): string[] {
    return [...this.paths.keys()]
      .filter((k) => !k.includes('/') || k.startsWith(`${sessionId}/`))
      .map((k) => k.split('/').pop()!);
  }

  /**
   * Keep an uploaded BTF file for this session's CO-RE checks. Only raw BTF is accepted: it is what
   * `/sys/kernel/btf/vmlinux` and `bpftool btf dump ... format raw` give.
   */
  upload(
    sessionId: string,
    name: string,
    base64: string,
    limits: UploadLimits,
  ): { types: number } | { error: string; quota?: true } {
    // The protocol allows [A-Za-z0-9_.+-]; `.` and `..` would name the upload folder itself.
    if (/^\.+$/.test(name)) return { error: `"${name}" is not a usable name for a BTF file; name it after its kernel` };
    // Checked before decoding and parsing: parsing holds the event loop, and the files stay on disk.
    const size = Buffer.byteLength(base64, 'base64');
    const key = `${sessionId}/${name}`;
    const mine = [...this.uploaded.keys()].filter((k) => k.startsWith(`${sessionId}/`) && k !== key).length;
    const others = [...this.uploaded].reduce((n, [k, b]) => (k === key ? n : n + b), 0);
    const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;
    if (size > limits.maxBtfUploadBytes)
      return {
        quota: true,
        error: `"${name}" is ${mib(size)}; this agent takes BTF files up to ${mib(limits.maxBtfUploadBytes)} (a kernel's vmlinux BTF is about 5 MiB)`,
      };
    if (mine >= limits.maxBtfUploadsPerSession)
      return {
        quota: true,
        error: `this session has uploaded ${mine} BTF files (limit ${limits.maxBtfUploadsPerSession}); reload the page to start over, or upload under a name you used already to replace it`,
      };
    if (others + size > limits.maxBtfUploadBytesTotal)
      return {
        quota: true,
        error: `the agent holds ${mib(others)} of uploaded BTF and takes ${mib(limits.maxBtfUploadBytesTotal)} in all; try again when other sessions have ended, or use a bundled kernel`,
      };
    const bytes = Buffer.from(base64, 'base64');
    let btf: Btf;
    try {
      btf = Btf.parse(bytes, { name });
    } catch (e) {
      return {
        error: `"${name}" is not raw BTF (${(e as Error).message}): upload /sys/kernel/btf/vmlinux of the other kernel`,
      };
    }
    const dir = join(this.uploadDir, sessionId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, name);
    writeFileSync(path, bytes, { mode: 0o600 });
    this.paths.set(key, path);
    this.uploaded.set(key, bytes.length);
    return { types: btf.typeCount };
  }

  /** A session's uploads go when the session does. */
  dropSession(sessionId: string): void {
    for (const key of [...this.paths.keys()]) if (key.startsWith(`${sessionId}/`)) this.paths.delete(key);
    for (const key of [...this.uploaded.keys()]) if (key.startsWith(`${sessionId}/`)) this.uploaded.delete(key);
    rmSync(join(this.uploadDir, sessionId), { recursive: true, force: true });
  }
}
