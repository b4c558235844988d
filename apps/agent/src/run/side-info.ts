import { loadBtf, resolveCoreRelocations, type ObjectSpec, type CoreTarget } from '@bpfplay/btf';
import { readFileSync } from 'node:fs';
import { HOST_TARGET } from '@bpfplay/protocol';
import { snippetLocation } from './files.js';
import type { RunScope } from './scope.js';

/**
 * Disassembly and the CO-RE report: useful at once, needed by nobody on the path to the first
 * event, so they run alongside the load and the run waits for them only before its final frame.
 */
export function startSideInfo(scope: RunScope, info: ObjectSpec, object: Buffer): Promise<void> {
  const { ctx, snippet, options, send, runId } = scope;
  const warn = (what: string) => (e: unknown) =>
    send({ type: 'warning', runId, message: `${what} unavailable: ${(e as Error).message}` });

  const start = scope.startAfter ?? Promise.resolve();
  const disasm = start
    .then(() => ctx.compiler.disassemble(object, snippet))
    .then((sections) => send({ type: 'disasm', runId, sections }))
    .catch(warn('disassembly'));

  const core = start
    .then(() => {
      const targets: CoreTarget[] = [{ name: 'this kernel', btf: ctx.vmlinux() }];
      // A run on kernels of the matrix is checked against their BTF without being asked.
      const kernels = (options.targets ?? []).filter((t) => t !== HOST_TARGET);
      for (const name of [...new Set([...(options.coreTargets ?? []), ...kernels])]) {
        // The session's own uploads first, then the BTF files bundled with the agent.
        const path = ctx.coReTargets.path(scope.sessionId, name);
        if (!path) {
          const known = ctx.coReTargets.known(scope.sessionId);
          send({
            type: 'warning',
            runId,
            message: `no BTF named "${name}" to check CO-RE against; known: ${known.join(', ') || 'none'}`,
          });
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
