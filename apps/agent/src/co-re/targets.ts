import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '@bpfplay/btf';
import type { AgentContext } from '../agent-context.js';

/**
 * Keep an uploaded BTF file (another kernel's /sys/kernel/btf/vmlinux) for this session's CO-RE
 * checks. Only raw BTF is accepted: it is what `/sys/kernel/btf/vmlinux` and `bpftool btf dump ... format raw` give.
 */
export function storeUploadedBtf(
  ctx: AgentContext,
  sessionId: string,
  name: string,
  base64: string,
): { types: number } | { error: string } {
  const bytes = Buffer.from(base64, 'base64');
  let btf: Btf;
  try {
    btf = Btf.parse(bytes, { name });
  } catch (e) {
    return {
      error: `"${name}" is not raw BTF (${(e as Error).message}): upload /sys/kernel/btf/vmlinux of the other kernel`,
    };
  }
  const dir = join(ctx.config.dataDir, 'btf-uploads', sessionId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  ctx.coreTargets.set(`${sessionId}/${name}`, path);
  return { types: btf.typeCount };
}

/** A session's uploads go when the session does. */
export function dropUploadedBtf(ctx: AgentContext, sessionId: string): void {
  for (const key of [...ctx.coreTargets.keys()]) if (key.startsWith(`${sessionId}/`)) ctx.coreTargets.delete(key);
  rmSync(join(ctx.config.dataDir, 'btf-uploads', sessionId), { recursive: true, force: true });
}
