import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProgramCalls } from '@bpfplay/btf';
import type { SourceLocation, Violation } from '@bpfplay/protocol';
import { attachKindOf, capabilityOf, uprobeTarget, type AttachKind } from '../attach/kinds.js';
import type { ProgramLocator } from './locate.js';
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
 * The family a section belongs to for the policy. `?` (libbpf's "not loaded unless asked") does not
 * change what the program is; writable raw tracepoints are raw_tp to the attacher but a family of
 * their own here, because they may write to the tracepoint's buffer.
 */
export function policyKindOf(section: string): string {
  const s = section.startsWith('?') ? section.slice(1) : section;
  if (/^raw_(tp|tracepoint)\.w\//.test(s)) return 'raw_tp.w';
  return attachKindOf(s);
}

/** `usdt/<binary>:<provider>:<probe>`: the binary whose USDT notes become uprobes. */
function usdtBinary(section: string): string | undefined {
  const m = /^usdt(?:\.s)?\/(.+):[^:]+:[^:]+$/.exec(section);
  return m?.[1];
}

/**
 * Check a compiled object against the policy before it goes near the kernel. Subprograms' calls
 * count too: a helper hidden in a `static __noinline` function is still called. Every violation
 * names its rule, the program, and the source line (the call, or the program's SEC() line).
 */
export function checkPolicy(programs: ProgramCalls[], policy: Policy, locate?: ProgramLocator): Violation[] {
  const out: Violation[] = [];
  const allowed = new Set(policy.uprobeBinaries.map((b) => resolveBinary(b)).filter((b): b is string => !!b));
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
    if (kind === 'uprobe' || kind === 'uretprobe' || kind === 'usdt') {
      const binary = kind === 'usdt' ? usdtBinary(p.section) : uprobeTarget(p.section)?.binary;
      if (binary === undefined) {
        refuse(
          'uprobe-target',
          `${p.program}${at} is SEC("${p.section}"), which names no binary the agent can check; write SEC("${kind}/<binary>:<function>") with a binary from the allowlist: ${policy.uprobeBinaries.join(', ')}`,
        );
        continue;
      }
      const real = resolveBinary(binary);
      if (!real || !allowed.has(real)) {
        refuse(
          'uprobe-target',
          `${p.program}${at} attaches to ${binary}${real && real !== binary ? ` (${real})` : ''}, which is not on the agent's uprobe allowlist: ${policy.uprobeBinaries.join(', ')}`,
        );
      }
    }
  }
  return out;
}
