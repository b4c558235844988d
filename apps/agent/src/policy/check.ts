import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProgramCalls } from '@bpfplay/btf';
import type { SourceLocation, Violation } from '@bpfplay/protocol';
import { attachKindOf, capabilityOf, uprobeTarget } from '../attach/kinds.js';
import type { Policy } from './policy.js';

function where(loc: { file: string; line: number; col: number } | undefined): { location?: SourceLocation } {
  return loc ? { location: { file: loc.file, line: loc.line, col: loc.col } } : {};
}

/** libbpf accepts a bare binary name in uprobe sections and searches PATH; so do we, then compare real paths. */
export function resolveBinary(binary: string): string | undefined {
  const candidates = binary.startsWith('/')
    ? [binary]
    : (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).map((d) => join(d, binary));
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    try {
      return realpathSync(c);
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * Check a compiled object against the policy before it goes near the kernel. Subprograms' calls
 * count too: a helper hidden in a `static __noinline` function is still called.
 */
export function checkPolicy(programs: ProgramCalls[], policy: Policy): Violation[] {
  const out: Violation[] = [];
  const allowed = new Set(policy.uprobeBinaries.map((b) => resolveBinary(b)).filter((b): b is string => !!b));
  for (const p of programs) {
    for (const call of p.calls) {
      const denied =
        call.kind === 'helper' ? policy.deniedHelpers[call.name] : call.kind === 'kfunc' ? policy.deniedKfuncs[call.name] : undefined;
      if (denied === undefined) continue;
      const at = call.location ? ` at ${call.location.file}:${call.location.line}` : '';
      out.push({
        rule: call.kind === 'helper' ? 'helper-denied' : 'kfunc-denied',
        program: p.program,
        helper: call.name,
        message: `${p.program}${at} calls ${call.name}(), which the playground refuses: ${denied}`,
        ...where(call.location),
      });
    }
    if (p.subprogram) continue;
    const kind = attachKindOf(p.section);
    const deniedKind = policy.deniedKinds[capabilityOf(kind)] ?? policy.deniedKinds[kind];
    if (deniedKind !== undefined) {
      out.push({
        rule: 'program-type-denied',
        program: p.program,
        message: `${p.program} is a SEC("${p.section}") program, which the playground refuses: ${deniedKind}`,
      });
    }
    if (kind === 'uprobe' || kind === 'uretprobe') {
      const t = uprobeTarget(p.section);
      if (!t) continue; // no target in the section: attach will fail with its own message
      const real = resolveBinary(t.binary);
      if (!real || !allowed.has(real)) {
        out.push({
          rule: 'uprobe-target',
          program: p.program,
          message: `${p.program} attaches to ${t.binary}${real && real !== t.binary ? ` (${real})` : ''}, which is not on the agent's uprobe allowlist: ${policy.uprobeBinaries.join(', ')}`,
        });
      }
    }
  }
  return out;
}
