import type { ProgramCalls } from '@bpfplay/btf';
import type { SourceLocation, Violation } from '@bpfplay/protocol';
import { capabilityOf, type AttachKind } from '../attach/kinds.js';
import { policyKindOf } from './kind.js';
import type { ProgramLocator } from './locate.js';
import type { Policy } from './policy.js';

export { policyKindOf } from './kind.js';

function where(loc: { file: string; line: number; col: number } | undefined): { location?: SourceLocation } {
  return loc ? { location: { file: loc.file, line: loc.line, col: loc.col } } : {};
}

/**
 * Check a compiled object against the policy before it goes near the kernel. Subprograms' calls
 * count too: a helper hidden in a `static __noinline` function is still called. Every violation
 * names its rule, the program, and the source line (the call, or the program's SEC() line).
 */
export function checkPolicy(programs: ProgramCalls[], policy: Policy, locate?: ProgramLocator): Violation[] {
  const out: Violation[] = [];
  const allowedKinds = new Set(policy.allowedKinds);
  for (const p of programs) {
    for (const call of p.calls) {
      const denied =
        call.kind === 'helper'
          ? policy.deniedHelpers[call.name]
          : call.kind === 'kfunc'
            ? policy.deniedKfuncs[call.name]
            : undefined;
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
    const loc = locate?.(p.section, p.program);
    const at = loc ? ` at ${loc.file}:${loc.line}` : '';
    const refuse = (rule: string, message: string) =>
      out.push({ rule, program: p.program, message, ...(loc ? { location: loc } : {}) });
    const kind = policyKindOf(p.section);
    const family = capabilityOf(kind as AttachKind);
    const deniedKind = policy.deniedKinds[kind] ?? policy.deniedKinds[family];
    if (deniedKind !== undefined) {
      refuse(
        'program-type-denied',
        `${p.program}${at} is a SEC("${p.section}") program, which the playground refuses: ${deniedKind}`,
      );
      continue;
    }
    if (!allowedKinds.has(kind)) {
      const what = kind === 'other' ? 'a program type the playground does not recognise' : `a ${kind} program`;
      refuse(
        'program-type-not-allowed',
        `${p.program}${at} is SEC("${p.section}"), ${what}; this agent allows: ${[...allowedKinds].join(', ')}`,
      );
      continue;
    }
  }
  return out;
}
