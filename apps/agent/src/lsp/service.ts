/**
 * Editor intelligence: clangd in the compile sandbox, with the compile's flags, one per editing
 * session (pool.ts), spoken to over the session's WebSocket (channel.ts) in the protocol's typed
 * subset of LSP (packages/protocol lsp.ts). Completion inside SEC("...") comes from this kernel's
 * attach points (sec-names.ts); go-to-definition into headers is served read-only (headers.ts).
 *
 *   layout.ts    clangd's command line, configuration, mounts and rlimits
 *   clangd.ts    one sandboxed clangd and its JSON-RPC (framing.ts)
 *   documents.ts the session's files, snippet names ↔ clangd's paths
 *   convert.ts   clangd's answers → protocol types
 *   check.ts     compile as you type
 */
import { dirname } from 'node:path';
import type { Btf } from '@bpfplay/btf';
import type { AttachSupport, ServerPayload } from '@bpfplay/protocol';
import type { AgentLimits } from '../limits.js';
import { LspChannel } from './channel.js';
import { ClangdPool } from './pool.js';
import { SecCatalog } from './sec-names.js';

export interface LspService {
  readonly pool: ClangdPool;
  readonly catalog: SecCatalog;
  channel(send: (p: ServerPayload) => void): LspChannel;
  close(): Promise<void>;
}

export function createLspService(o: {
  vmlinuxHeader: string;
  includeDir: string;
  limits: AgentLimits;
  capabilities: readonly AttachSupport[];
  vmlinux(): Btf;
  uprobeBinaries: readonly string[];
}): LspService {
  const dirs = { vmlinuxDir: dirname(o.vmlinuxHeader), includeDir: o.includeDir };
  const pool = new ClangdPool({ ...dirs, limits: o.limits });
  const catalog = new SecCatalog({
    capabilities: o.capabilities,
    vmlinux: o.vmlinux,
    uprobeBinaries: o.uprobeBinaries,
  });
  return {
    pool,
    catalog,
    channel: (send) => new LspChannel({ pool, catalog, vmlinux: o.vmlinux, limits: o.limits, dirs, send }),
    close: () => pool.close(),
  };
}
