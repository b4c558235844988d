import { mapDefinitions, openObjectSpec, scanCalls, type Btf, type ObjectSpec } from '@bpfplay/btf';
import type { RunScope } from './scope.js';
import type { AttachSupport, ServerPayload, SourceLocation } from '@bpfplay/protocol';
import type { Policy } from '../policy/policy.js';
import type { RunTargetEnv } from './target-env.js';
import { attachKindOf } from '../attach/kinds.js';
import { planPrograms } from '../load/program-choice.js';
import { sizeMaps, type MapSize } from '../load/map-sizes.js';
import { checkPolicy } from '../policy/check.js';
import { reachableCalls } from '../policy/core-dead-code.js';
import { programLocator } from '../policy/locate.js';
import { checkUprobes, verifyProbePoints, type ProbeTarget } from '../policy/uprobes.js';
import { needsNetwork } from '../attach/sandbox-net.js';
import { checkMapQuota, type MapShape } from '../policy/map-quota.js';
import { checkMapDefinitions, mapLocator, mapShapes, possibleCpus } from '../policy/map-definitions.js';
import { startSideInfo } from './side-info.js';
import { listParams } from '../load/params.js';
import { snippetFileName } from './files.js';
import { coreBtfFor } from '../load/core-btf.js';
import { join } from 'node:path';

/** What the targets of one run share: the object read once, its side information and map sizes. */
export interface SharedPrep {
  info: ObjectSpec;
  sideInfo: Promise<void>;
  defs: ReturnType<typeof mapDefinitions>;
  sizing: ReturnType<typeof sizeMaps>;
}

export interface Prepared {
  /** Set when the policy refused the object: the run ends here. */
  refused?: string;
  /** Set when the object is over a quota before it is even opened (its global variables). */
  quota?: string;
  /** Set when every program needs an attach kind this kernel lacks. */
  nothingToRun?: string;
  /** Host runs whose CO-RE relocations only ask about BPF's own enums: a small BTF for them (load/core-btf.ts). */
  coreBtfPath?: string;
  /** Programs switched off before load, with the reason the user was told. */
  skip: Record<string, string>;
  /** Variants waiting for a program that is on, tried in order if it fails to load (load/program-choice.ts). */
  fallbacks?: Record<string, string[]>;
  /** Map sizes the playground sets as the loader (load/map-sizes.ts), applied by the runner after open. */
  mapSizes?: Record<string, MapSize>;
  /** XDP/tc/socket programs: run in a private network namespace with a veth pair. */
  network?: boolean;
  /** uprobe/uretprobe/USDT programs → the file and offset the policy checked; the runner attaches to these. */
  probes: Record<string, ProbeTarget>;
  /** Each program's SEC("...") line, for frames about a program as a whole (a failed attach). */
  locations?: Record<string, SourceLocation>;
  /** Disassembly and CO-RE report, computed off the critical path; await before the final frame. */
  sideInfo: Promise<void>;
}

/**
 * Everything the agent decides about a compiled object before a runner sees it: the policy, which
 * programs this kernel can run (the rest are switched off with a warning each, as a C loader of a
 * libbpf-tools program would), and the side information (disassembly, CO-RE relocations).
 */
export async function prepareObject(
  scope: RunScope,
  object: Buffer,
  target?: RunTargetEnv,
  prior?: SharedPrep,
): Promise<Prepared & { shared?: SharedPrep }> {
  const { ctx } = scope;
  // Frames about one target of a run that names its targets say which.
  const label = target && scope.options.targets ? { target: target.name } : {};
  const send = (p: ServerPayload) => scope.send({ ...p, ...label } as ServerPayload);
  const capabilities = target?.capabilities ?? ctx.capabilities;
  const policy = target?.policy ?? ctx.policy;
  const btf = target ? () => target.btf() : ctx.vmlinux;
  const shared = prior ?? readObject(scope, object);
  if ('refused' in shared) return shared;
  const decided = await decide(scope, shared, send, capabilities, policy, btf);
  // Host runs only: a guest loads with its own kernel's BTF, in the guest.
  if (!target?.guest && !decided.refused && !decided.quota && !decided.nothingToRun) {
    const path = coreBtfFor(shared.info, btf(), join(ctx.config.dataDir, 'core-btf'));
    if (path) decided.coreBtfPath = path;
  }
  return { ...decided, shared };
}

/** Read the object once per run: side information, the params frame, map sizes. */
function readObject(scope: RunScope, object: Buffer): SharedPrep | (Prepared & { refused: string }) {
  const { runId } = scope;
  const send = scope.send;
  let info: ObjectSpec;
  try {
    info = openObjectSpec(object, 'snippet');
  } catch (e) {
    return {
      refused: `the compiled object could not be read: ${(e as Error).message}`,
      skip: {},
      probes: {},
      sideInfo: Promise.resolve(),
    };
  }
  const sideInfo = startSideInfo(scope, info, object);
  const defs = info.btf ? mapDefinitions(info.btf) : [];
  const sizing = sizeMaps(defs, scope.options.params ?? {});
  if (info.btf) {
    const knobs = listParams(info.btf, info.elf.section('.rodata')?.data).map(({ name, type, value }) => ({
      name,
      type,
      value,
    }));
    const params = [...knobs, ...sizing.params];
    if (params.length) send({ type: 'params', runId, params });
  }
  for (const message of sizing.warnings) send({ type: 'warning', runId, message });
  return { info, sideInfo, defs, sizing };
}

/** The policy and the loader's choices for one target (its capabilities and policy). */
async function decide(
  scope: RunScope,
  { info, sideInfo, defs, sizing }: SharedPrep,
  send: (p: ServerPayload) => void,
  capabilities: AttachSupport[],
  policy: Policy,
  kernelBtf: () => Btf,
): Promise<Prepared> {
  const { ctx, snippet, runId } = scope;
  // Source lines carry clang's sandbox paths; users know their snippet's file names.
  let calls = scanCalls(info, ctx.helperNames(), ctx.vmlinux()).map((p) => ({
    ...p,
    calls: p.calls.map((c) =>
      c.location ? { ...c, location: { ...c.location, file: snippetFileName(c.location.file, snippet) } } : c,
    ),
  }));
  const locate = programLocator(snippet.files);
  const lab = { packetLab: scope.options.mode === 'test-run' };
  let violations = checkPolicy(calls, policy, locate, lab);
  if (violations.some((v) => v.helper !== undefined)) {
    // A refused call behind a CO-RE check this kernel fails (bpf_printk's fallback for Linux < 5.13)
    // is not a call the kernel will make: judge only the calls it can reach (policy/core-dead-code.ts).
    calls = reachableCalls(calls, info, kernelBtf());
    violations = checkPolicy(calls, policy, locate, lab);
  }
  violations.push(...checkMapDefinitions(defs, mapLocator(snippet.files)));
  const uprobes = checkUprobes(calls, policy, locate);
  violations.push(...uprobes.violations);
  const probes = uprobes.targets;
  if (!violations.length) {
    const sectionOf = (program: string) => calls.find((c) => c.program === program)?.section ?? '';
    const decode = (path: string, from: number, to: number) => ctx.compiler.decodeHostFunction(path, from, to);
    violations.push(...(await verifyProbePoints(probes, decode, locate, sectionOf)));
  }
  const entry = calls.filter((c) => !c.subprogram);
  // Rules of the loader we play: unsupported kinds off, one variant per hook. The program-count limit
  // counts what is left, so a tool shipping fentry + kprobe + tp_btf variants is not refused for them.
  const plan = planPrograms(entry, capabilities);
  const toLoad = entry.filter((p) => plan.off[p.program] === undefined).length;
  if (toLoad > ctx.config.limits.maxPrograms) {
    violations.push({
      rule: 'too-many-programs',
      message: `the object has ${toLoad} programs to load (each one attach point${toLoad < entry.length ? `; ${entry.length - toLoad} more switched off` : ''}); the limit is ${ctx.config.limits.maxPrograms} per run: split the snippet or remove programs`,
    });
  }
  const overQuota = mapsOverQuota(info, mapShapes(defs, sizing.sizes), ctx.config.limits.maxMapBytes);
  if (overQuota) return { quota: overQuota, skip: {}, probes, sideInfo };
  if (violations.length) {
    send({ type: 'refused', runId, violations });
    return { refused: violations.map((v) => `${v.rule}: ${v.message}`).join('\n'), skip: {}, probes, sideInfo };
  }
  if (entry.length === 0) {
    return { nothingToRun: 'the object has no programs: add a function with SEC("...")', skip: {}, probes, sideInfo };
  }

  const locations: Record<string, SourceLocation> = {};
  for (const p of entry) {
    const at = locate(p.section, p.program);
    if (at) locations[p.program] = at;
  }
  const skip = plan.off;
  for (const [program, message] of Object.entries(skip))
    send({ type: 'warning', runId, program, message, ...(locations[program] ? { location: locations[program] } : {}) });
  if (Object.keys(skip).length === entry.length) {
    return {
      nothingToRun: `nothing this kernel can run:\n${Object.values(skip).join('\n')}`,
      skip,
      probes,
      sideInfo,
      locations,
    };
  }
  const network = needsNetwork(entry.filter((p) => skip[p.program] === undefined).map((p) => attachKindOf(p.section)));
  return { skip, fallbacks: plan.fallbacks, mapSizes: sizing.sizes, sideInfo, network, probes, locations };
}

/**
 * The map-memory quota on every map libbpf will create, decided before a runner opens the object (so
 * `--compile-only` says it): the `.maps` definitions with the sizes the playground sets as loader,
 * the inner template of each map-in-map, and the global sections, which become one-entry array maps
 * when libbpf opens the object (a `.bss` of a TiB makes that open fail with a bare ENOENT). The
 * runner checks again on libbpf's own view after open (load/loader.ts).
 */
function mapsOverQuota(info: ObjectSpec, defined: MapShape[], limitBytes: number): string | undefined {
  const globals = info.elf.sections
    .filter((sec) => /^\.(bss|data|rodata)(\.|$)/.test(sec.name) && !/^\.rodata\.(str|cst)/.test(sec.name))
    .map((sec) => ({ name: `${info.name}${sec.name}`, type: 'array', keySize: 4, valueSize: sec.size, maxEntries: 1 }));
  return checkMapQuota([...defined, ...globals], limitBytes, possibleCpus()).error;
}
