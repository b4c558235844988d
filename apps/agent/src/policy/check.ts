import type { ProgramCall, ProgramCalls } from '@bpfplay/btf';
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
 * Why a call is refused, if it is. Helpers: a denylist over the kernel's helper ids (any id the kernel
 * does not name is refused too). kfuncs: an allowlist over names resolved as the kernel will see them
 * (call-scan.ts: relocations to externs, raw BTF ids), a denial giving the specific reason first; a
 * kfunc whose name cannot be established is refused.
 */
function callRefusal(call: ProgramCall, policy: Policy): { rule: string; says: string } | undefined {
  switch (call.kind) {
    case 'subprog':
      return undefined;
    case 'invalid':
      return {
        rule: 'call-invalid',
        says: `makes a ${call.name}, which no kernel accepts; remove the hand-written call`,
      };
    case 'helper': {
      const denied = policy.deniedHelpers[call.name];
      if (denied !== undefined)
        return { rule: 'helper-denied', says: `calls ${call.name}(), which the playground refuses: ${denied}` };
      if (call.name.startsWith('helper #'))
        return { rule: 'helper-unknown', says: `calls ${call.name}, which this kernel does not have` };
      return undefined;
    }
    case 'kfunc': {
      if (call.kfunc && !call.kfunc.resolved) {
        const why =
          call.kfunc.btfSlot !== undefined && call.kfunc.btfSlot !== 0
            ? 'a hand-written call into a module BTF, whose target the agent cannot establish'
            : "a hand-written call by BTF id that this kernel's BTF does not name as a function";
        return {
          rule: 'kfunc-unresolved',
          says: `calls ${call.name}: ${why}; declare kfuncs as \`extern ... __ksym\` and call them by name`,
        };
      }
      const denied = policy.deniedKfuncs[call.name];
      if (denied !== undefined)
        return { rule: 'kfunc-denied', says: `calls ${call.name}(), which the playground refuses: ${denied}` };
      if (!policy.allowedKfuncs.includes(call.name))
        return {
          rule: 'kfunc-not-allowed',
          says: `calls the kfunc ${call.name}(), which is not on this agent's list of kfuncs that only observe (policy allowedKfuncs)`,
        };
      return undefined;
    }
  }
}

/**
 * Check a compiled object against the policy before it goes near the kernel. Subprograms' calls
 * count too: a helper hidden in a `static __noinline` function is still called. Every violation
 * names its rule, the program, and the source line (the call, or the program's SEC() line).
 */
export function checkPolicy(
  programs: ProgramCalls[],
  policy: Policy,
  locate?: ProgramLocator,
  opts: { packetLab?: boolean } = {},
): Violation[] {
  const out: Violation[] = [];
  const allowedKinds = new Set(policy.allowedKinds);
  for (const p of programs) {
    for (const call of p.calls) {
      const refusal = callRefusal(call, policy);
      if (!refusal) continue;
      const at = call.location ? ` at ${call.location.file}:${call.location.line}` : '';
      out.push({
        rule: refusal.rule,
        program: p.program,
        helper: call.name,
        message: `${p.program}${at} ${refusal.says}`,
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
    const labOnly = policy.packetLabKinds[kind];
    if (labOnly !== undefined) {
      if (!opts.packetLab)
        refuse('program-type-packet-lab-only', `${p.program}${at} is a SEC("${p.section}") program: ${labOnly}`);
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
