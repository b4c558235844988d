import { loadBtf, resolveCoreRelocations, type BpfObject as ObjectInfo, type CoreTarget } from '@bpfplay/btf';
import type { RunOptions, ServerPayload, Snippet } from '@bpfplay/protocol';
import { readFileSync } from 'node:fs';
import type { AgentContext } from '../agent-context.js';
import { snippetLocation } from './files.js';

/**
 * Disassembly and the CO-RE report: useful at once, needed by nobody on the path to the first
 * event, so they run alongside the load and the run waits for them only before its final frame.
 */
export function startSideInfo(
  ctx: AgentContext,
  info: ObjectInfo,
  object: Buffer,
  snippet: Snippet,
  options: RunOptions,
  send: (p: ServerPayload) => void,
  runId: string,
): Promise<void> {
  const warn = (what: string) => (e: unknown) =>
    send({ type: 'warning', runId, message: `${what} unavailable: ${(e as Error).message}` });

  const disasm = ctx.compiler
    .disassemble(object, snippet)
    .then((sections) => send({ type: 'disasm', runId, sections }))
    .catch(warn('disassembly'));

  const core = Promise.resolve()
    .then(() => {
      const targets: CoreTarget[] = [{ name: 'this kernel', btf: ctx.vmlinux() }];
      for (const name of options.coreTargets ?? []) {
        const path = ctx.coreTargets.get(name);
        if (!path) {
          send({ type: 'warning', runId, message: `no BTF named "${name}" to check CO-RE against; known: ${[...ctx.coreTargets.keys()].join(', ') || 'none'}` });
          continue;
        }
        targets.push({ name, btf: loadBtf(readFileSync(path), { name }) });
      }
      const relocations = resolveCoreRelocations(info, targets).map((r) => {
        const location = snippetLocation(r.location, snippet);
        return {
          program: r.program,
          insn: r.insn,
          kind: r.kind,
          typeName: r.typeName,
          access: r.access,
          spec: r.spec,
          results: r.results,
          ...(location ? { location } : {}),
          ...(r.localValue !== undefined ? { localValue: r.localValue } : {}),
          ...(r.sourceText !== undefined ? { sourceText: r.sourceText } : {}),
        };
      });
      if (relocations.length) send({ type: 'core', runId, relocations });
    })
    .catch(warn('CO-RE report'));

  return Promise.all([disasm, core]).then(() => undefined);
}
