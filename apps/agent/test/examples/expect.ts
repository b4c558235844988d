/**
 * Holds one example run's output to its meta.json `expect`. Every check returns the problems it
 * found as sentences about what the user would have seen, so a failing test reads like a bug
 * report ("no printk line matched ...; the user saw: ...") rather than a diff of JSON.
 */
import type { ExampleExpect, MapSnapshot, ServerMessage, Value } from '@bpfplay/protocol';
import { ofType } from '../harness/cli.js';

type Messages = ServerMessage[];

const SUCCESS = new Set(['timeout', 'finished', 'user']);
/** The stop reason each failing stage ends a run with. */
const STOP_FOR_STAGE: Record<NonNullable<ExampleExpect['fails']>['stage'], string> = {
  compile: 'compile-error',
  policy: 'refused',
  verifier: 'verifier',
  load: 'load-error',
  attach: 'attach-error',
};
/** A kernel frame named from kallsyms: `do_syscall_64+0x82`, `bpf_prog_..._x+0x40 [bpf]`. */
const SYMBOLIZED_FRAME = /^[A-Za-z_][\w.$]*\+0x[0-9a-f]+( \[[^\]]+\])?$/;

const show = (v: unknown, max = 300) => {
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
};

function sample<T>(items: T[], n: number, fmt: (x: T) => string): string {
  if (!items.length) return 'nothing';
  const head = items.slice(0, n).map(fmt).join('\n    ');
  return `${items.length}, e.g.:\n    ${head}${items.length > n ? '\n    …' : ''}`;
}

function stopped(messages: Messages) {
  return ofType(messages, 'stopped').at(-1);
}

/** Numbers may arrive as decimal strings (64-bit values beyond 2^53); compare them exactly. */
function sameNumber(actual: Value | undefined, expected: number): boolean {
  if (typeof actual === 'number') return actual === expected;
  if (typeof actual === 'string' && /^-?\d+$/.test(actual) && Number.isInteger(expected))
    return BigInt(actual) === BigInt(expected);
  return false;
}

function fieldMatches(actual: Value | undefined, expected: string | number | boolean): boolean {
  if (typeof expected === 'string')
    return (
      actual !== undefined &&
      actual !== null &&
      new RegExp(expected).test(typeof actual === 'string' ? actual : JSON.stringify(actual))
    );
  if (typeof expected === 'number') return sameNumber(actual, expected);
  return actual === expected;
}

function checkPrintk(re: string, messages: Messages): string[] {
  const lines = ofType(messages, 'printk').flatMap((m) => m.lines.map((l) => l.text));
  if (lines.some((l) => new RegExp(re).test(l))) return [];
  return [`no printk line matched /${re}/; the user saw ${sample(lines, 5, (l) => l)}`];
}

function checkEvent(clause: NonNullable<ExampleExpect['event']>, messages: Messages): string[] {
  const frames = ofType(messages, 'events').filter((m) => clause.source === undefined || m.source === clause.source);
  const all = frames.flatMap((m) => m.records);
  const records = all.map((r) => r.value);
  const match = all.some(({ value: v, shown }) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
    return (
      Object.entries(clause.fields).every(([k, want]) => fieldMatches(v[k], want)) &&
      Object.entries(clause.shown ?? {}).every(([k, want]) => fieldMatches(shown?.[k], want))
    );
  });
  if (match) return [];
  if (clause.shown) {
    const seen = all.map((r) => ({ ...(r.value as object), shown: r.shown }));
    return [
      `no record${clause.source ? ` from ${clause.source}` : ''} had ${show(clause.fields)} shown as ${show(clause.shown)}; the user saw ${sample(seen, 3, (r) => show(r))}`,
    ];
  }
  const where = clause.source ? ` from ${clause.source}` : '';
  const hex = ofType(messages, 'schema')
    .filter((s) => s.undecodedReason && (clause.source === undefined || s.source === clause.source))
    .map((s) => ` (${s.source} was shown as hex: ${s.undecodedReason})`)
    .join('');
  return [`no record${where} had ${show(clause.fields)}${hex}; the user saw ${sample(records, 3, (r) => show(r))}`];
}

function nonZeroBuckets(v: Value): number {
  const slots = v && typeof v === 'object' && !Array.isArray(v) ? v.slots : undefined;
  return Array.isArray(slots) ? slots.filter((s) => s !== 0 && s !== '0' && s !== null).length : 0;
}

function checkMap(clause: NonNullable<ExampleExpect['map']>, messages: Messages): string[] {
  const last = ofType(messages, 'maps').at(-1);
  const map: MapSnapshot | undefined = last?.maps.find((m) => m.name === clause.name);
  if (!map) {
    const names = last ? last.maps.map((m) => m.name).join(', ') || 'none' : 'no snapshot at all';
    return [`map ${clause.name} was not in the last snapshot; maps shown: ${names}`];
  }
  const problems: string[] = [];
  if (map.error) problems.push(`map ${clause.name} could not be read: ${map.error}`);
  const total = map.entries.length + map.more;
  const min = clause.minEntries ?? 1;
  if (total < min) problems.push(`map ${clause.name} had ${total} entries, fewer than ${min}`);
  if (clause.render && map.render !== clause.render)
    problems.push(`map ${clause.name} was drawn as ${map.render}, not ${clause.render}`);
  if (clause.nonZeroBuckets !== undefined) {
    const best = Math.max(0, ...map.entries.map((e) => nonZeroBuckets(e.value)));
    if (best < clause.nonZeroBuckets) {
      problems.push(
        `histogram ${clause.name} had ${best} non-zero buckets, fewer than ${clause.nonZeroBuckets}: ${sample(map.entries, 2, (e) => show(e.value))}`,
      );
    }
  }
  if (map.type === 'stack_trace') {
    // The point of the stack map in the gallery: frames a person can read, not addresses.
    const frames = map.entries.flatMap((e) => (Array.isArray(e.value) ? e.value : []));
    if (!frames.some((f) => typeof f === 'string' && SYMBOLIZED_FRAME.test(f))) {
      problems.push(
        `stack map ${clause.name} has no symbolized kernel frame (func+0xoff); the user saw ${sample(map.entries, 2, (e) => show(e.value))}`,
      );
    }
  }
  if (problems.length) problems.push(`map ${clause.name} in the last snapshot: ${show(map, 600)}`);
  return problems;
}

function checkIter(re: string, messages: Messages): string[] {
  const text = ofType(messages, 'iter')
    .map((m) => m.text)
    .join('');
  if (new RegExp(re).test(text)) return [];
  return [
    `iterator output did not match /${re}/; the user saw: ${text ? show(text.slice(0, 400)) : 'no iterator output'}`,
  ];
}

function checkFails(clause: NonNullable<ExampleExpect['fails']>, main: string, messages: Messages): string[] {
  const problems: string[] = [];
  const stop = stopped(messages);
  const want = STOP_FOR_STAGE[clause.stage];
  if (stop?.reason !== want)
    problems.push(
      `the run should stop with ${want} but stopped with ${stop ? `${stop.reason}: ${stop.message}` : 'no stopped frame'}`,
    );
  const re = new RegExp(clause.reason);
  const lineOk = (file: string | undefined, line: number | undefined) =>
    clause.line === undefined || (file === main && line === clause.line);
  const at = clause.line === undefined ? '' : ` at ${main}:${clause.line}`;
  switch (clause.stage) {
    case 'compile': {
      const diags = ofType(messages, 'compiled').flatMap((c) => c.diagnostics);
      if (
        !diags.some(
          (d) => (d.severity === 'error' || d.severity === 'fatal') && re.test(d.message) && lineOk(d.file, d.line),
        )
      ) {
        problems.push(
          `no compile error matching /${clause.reason}/${at}; the user saw ${sample(diags, 5, (d) => `${d.file}:${d.line}: ${d.severity}: ${d.message}`)}`,
        );
      }
      break;
    }
    case 'policy': {
      const violations = ofType(messages, 'refused').flatMap((r) => r.violations);
      if (!violations.some((v) => re.test(v.message) && lineOk(v.location?.file, v.location?.line))) {
        problems.push(
          `no refusal matching /${clause.reason}/${at}; the user saw ${sample(violations, 5, (v) => `${v.location ? `${v.location.file}:${v.location.line}: ` : ''}${v.message}`)}`,
        );
      }
      break;
    }
    case 'verifier': {
      const failures = ofType(messages, 'verifier').flatMap((v) =>
        v.failure ? [{ program: v.program, ...v.failure }] : [],
      );
      if (!failures.some((f) => re.test(f.reason) && lineOk(f.location?.file, f.location?.line))) {
        problems.push(
          `no verifier failure with reason /${clause.reason}/${at}; the user saw ${sample(failures, 3, (f) => `${f.program} at ${f.location ? `${f.location.file}:${f.location.line}` : '?'}: ${f.reason} (kernel: ${f.message})`)}`,
        );
      }
      break;
    }
    case 'load':
    case 'attach':
      if (!stop || !re.test(stop.message))
        problems.push(`the stop message does not match /${clause.reason}/: ${stop?.message ?? 'no stopped frame'}`);
      break;
  }
  return problems;
}

/** Every clause of `expect` against one run's messages; empty when the example did what it promises. */
export function checkExpect(expect: ExampleExpect, main: string, messages: Messages): string[] {
  if (expect.fails) return checkFails(expect.fails, main, messages);
  const problems: string[] = [];
  const stop = stopped(messages);
  if (!stop || !SUCCESS.has(stop.reason)) {
    problems.push(
      `the run should run to its time limit but stopped with ${stop ? `${stop.reason}: ${stop.message}` : 'no stopped frame'}`,
    );
  }
  for (const link of ofType(messages, 'attached').flatMap((a) => a.links)) {
    if (!link.ok)
      problems.push(`${link.program} was not attached to ${link.target}: ${link.message ?? 'no reason given'}`);
  }
  if (expect.printk !== undefined) problems.push(...checkPrintk(expect.printk, messages));
  if (expect.event) problems.push(...checkEvent(expect.event, messages));
  if (expect.map) problems.push(...checkMap(expect.map, messages));
  if (expect.iter !== undefined) problems.push(...checkIter(expect.iter, messages));
  if (expect.stacks) problems.push(...checkStacks(expect.stacks, messages));
  return problems;
}

function checkStacks(clause: NonNullable<ExampleExpect['stacks']>, messages: Messages): string[] {
  const profile = ofType(messages, 'maps')
    .at(-1)
    ?.stacks?.find((p) => p.name === clause.name);
  if (!profile) return [`no stack profile of map ${clause.name} (the flame graph would be empty)`];
  const problems: string[] = [];
  const min = clause.minSamples ?? 1;
  if (profile.samples.length < min)
    problems.push(`the ${clause.name} profile has ${profile.samples.length} stacks, expected at least ${min}`);
  if (clause.frame !== undefined) {
    const re = new RegExp(clause.frame);
    if (!profile.samples.some((s) => s.frames.some((f) => re.test(f))))
      problems.push(
        `no frame of the ${clause.name} profile matched /${clause.frame}/; the user saw ${sample(profile.samples, 3, (s) => s.frames.join(';'))}`,
      );
  }
  return problems;
}

/** Program names the run put in the kernel (or tried to), for the "nothing left behind" check. */
export function programNames(messages: Messages): string[] {
  const names = new Set<string>();
  for (const l of ofType(messages, 'loaded')) for (const p of l.programs) if (p.loaded) names.add(p.name);
  for (const v of ofType(messages, 'verifier')) names.add(v.program);
  return [...names];
}

/** The attach kinds of the programs that loaded, to hold meta.json's `kinds` to the code. */
export function loadedKinds(messages: Messages): string[] {
  return [
    ...new Set(ofType(messages, 'loaded').flatMap((l) => l.programs.filter((p) => !p.skipped).map((p) => p.kind))),
  ].sort();
}
