import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '@bpfplay/btf';

/**
 * The BTF files a run can check its CO-RE relocations against: each kernel of the matrix, the ones shipped with the agent
 * (apps/agent/btf/<name>.btf), any the operator drops into <dataDir>/btf, and the ones a session
 * uploaded (another kernel's /sys/kernel/btf/vmlinux), which only that session sees and which go
 * when it does.
 */
export class CoReTargets {
  /** name → path; uploads are keyed `<sessionId>/<name>`. */
  private readonly paths = new Map<string, string>();

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
  upload(sessionId: string, name: string, base64: string): { types: number } | { error: string } {
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
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    writeFileSync(path, bytes);
    this.paths.set(`${sessionId}/${name}`, path);
    return { types: btf.typeCount };
  }

  /** A session's uploads go when the session does. */
  dropSession(sessionId: string): void {
    for (const key of [...this.paths.keys()]) if (key.startsWith(`${sessionId}/`)) this.paths.delete(key);
    rmSync(join(this.uploadDir, sessionId), { recursive: true, force: true });
  }
}
