import type { MapSnapshot, ServerMessage, ServerMessageOf, StackProfile, Value } from '@bpfplay/protocol';
import { log2HistText } from '@bpfplay/protocol';
import { EventTable } from './event-table.js';
import { formatTestRun } from './packet-lab-format.js';

const ms = (t: number) => `${(t / 1000).toFixed(3)}s`;

function compact(v: Value): string {
  return JSON.stringify(v);
}

/** Each histogram of a log2-hist map as bpftrace prints one (the same text the web app copies). */
function histogram(m: MapSnapshot): string[] {
  const lines: string[] = [];
  for (const e of m.entries) {
    const v = e.value;
    const slots = v && typeof v === 'object' && !Array.isArray(v) ? v.slots : v;
    const buckets = Array.isArray(slots) ? slots.map((x) => (typeof x === 'number' ? x : Number(x))) : [];
    const name = m.entries.length > 1 ? `${m.name}[${compact(e.key)}]` : m.name;
    lines.push(
      ...log2HistText(name, buckets, m.unit)
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines;
}

const isEmptyObject = (v: Value) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

function mapLines(m: MapSnapshot): string[] {
  const head = `map ${m.name} (${m.type}${m.keyType ? `, ${m.keyType} → ${m.valueType}` : ''})${m.more ? `, ${m.more} more` : ''}`;
  if (m.error) return [`${head}: ${m.error}`];
  if (m.render === 'log2-hist') return [head, ...histogram(m)];
  if (m.render === 'globals' && m.entries.every((e) => isEmptyObject(e.value))) return [];
  // Array maps always hold every index; a terminal shows the ones that counted something.
  const shown = m.type.endsWith('array') ? m.entries.filter((e) => e.value !== 0 && e.value !== '0') : m.entries;
  const hidden = m.entries.length - shown.length;
  return [
    head,
    ...shown.map((e) => `  ${compact(e.key)}: ${compact(e.value)}`),
    ...(hidden ? [`  (${hidden} zero entries not shown)`] : []),
  ];
}

/**
 * A run's frames as a person reads them in a terminal, one after the other (records become rows
 * of a table whose header comes with the source's schema, so this keeps state).
 */
export class Transcript {
  private readonly events = new EventTable();

  /** One message as lines of text; undefined for frames that say nothing new to a person. */
  format(m: ServerMessage): string | undefined {
    const line =
      m.type === 'schema'
        ? this.events.schema(m)
        : m.type === 'events'
          ? this.events.events(m)
          : m.type === 'symbols'
            ? this.events.symbols(m)
            : formatMessage(m);
    // A run on several targets prints every line of a target with its name, e.g. `[6.1] ...`.
    const target = 'target' in m ? m.target : undefined;
    if (line === undefined || target === undefined) return line;
    return line
      .split('\n')
      .map((l) => `[${target}] ${l}`)
      .join('\n');
  }
}

/**
 * One message on its own; undefined for frames that say nothing new to a person (every map
 * snapshot but the last is summarised by the `stopped` line's statistics). Records need the
 * table a Transcript keeps.
 */
function formatMessage(m: Exclude<ServerMessage, { type: 'schema' | 'events' }>): string | undefined {
  switch (m.type) {
    case 'hello': {
      const no = m.capabilities.attach.filter((a) => !a.supported).map((a) => a.kind);
      const kernels = m.capabilities.kernels?.length
        ? `; kernel matrix: ${m.capabilities.kernels.map((k) => `${k.name} (${k.release})`).join(', ')}${m.capabilities.guestAccel ? ` under ${m.capabilities.guestAccel.why}` : ''}`
        : '';
      return `connected: kernel ${m.capabilities.kernelRelease}${no.length ? `, cannot attach: ${no.join(', ')}` : ''}${kernels}`;
    }
    case 'status':
      return m.state === 'stopped' ? undefined : `[${m.state}] ${ms(m.t)}${m.message ? ` ${m.message}` : ''}`;
    case 'compiled':
      return [
        `compiled: ${m.ok ? 'ok' : 'failed'} in ${Math.round(m.durationMs)} ms (${m.cache})`,
        ...m.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`),
      ].join('\n');
    case 'refused':
      return m.violations.map((v) => `refused (${v.rule}): ${v.message}`).join('\n');
    case 'loaded':
      return m.programs
        .map(
          (p) =>
            `loaded ${p.name} (${p.section})${p.skipped ? ' skipped' : ''}${p.stats?.insnsProcessed ? `: ${p.stats.insnsProcessed} insns verified` : ''}${p.jitedBytes ? `, ${p.jitedBytes} bytes JITed` : ''}`,
        )
        .join('\n');
    case 'attached':
      return m.links
        .map(
          (l) => `${l.ok ? 'attached' : 'NOT attached'} ${l.program} → ${l.target}${l.message ? `: ${l.message}` : ''}`,
        )
        .join('\n');
    case 'verifier':
      if (m.ok || !m.failure) return undefined;
      return [
        `verifier rejected ${m.program}: ${m.failure.reason}`,
        m.failure.location
          ? `  at ${m.failure.location.file}:${m.failure.location.line}${m.failure.sourceText ? `: ${m.failure.sourceText.trim()}` : ''}`
          : '',
        `  kernel says: ${m.failure.message}`,
        m.failure.hint ? `  hint: ${m.failure.hint}` : '',
      ]
        .filter(Boolean)
        .join('\n');
    case 'printk':
      return [
        ...m.lines.map((l) => `${ms(l.t).padStart(9)} cpu${l.cpu} ${l.text}`),
        ...(m.dropped ? [`(${m.dropped} printk lines dropped)`] : []),
      ].join('\n');
    case 'maps':
      return undefined;
    case 'iter':
      return m.text.replace(/\n$/, '');
    case 'params':
      return `parameters: ${m.params.map((p) => `${p.name}=${JSON.stringify(p.value)}`).join(' ')}`;
    case 'log':
      return m.level === 'warn' || m.level === 'error' ? `${m.source}: ${m.text}` : undefined;
    case 'warning':
      return `warning: ${m.message}`;
    case 'stopped':
      if (m.targets && m.target === undefined)
        return `stopped (${m.reason}) after ${ms(m.durationMs)}:\n${m.targets.map((t) => `  ${t.target}: ${t.reason}: ${t.message.split('\n')[0]} — ${t.stats.events} events, ${t.stats.printk} printk lines, ${t.stats.dropped} dropped`).join('\n')}`;
      return `stopped (${m.reason}) after ${ms(m.durationMs)}: ${m.message} — ${m.stats.events} events, ${m.stats.printk} printk lines, ${m.stats.dropped} dropped`;
    case 'error':
      return `error (${m.code}): ${m.message}`;
    case 'verdict':
      return formatVerdict(m);
    case 'test-run':
      return formatTestRun(m);
    case 'project':
      return `exported ${m.name}: ${m.files.map((f) => f.path).join(', ')}${m.notes.length ? `\n${m.notes.map((n) => `note: ${n}`).join('\n')}` : ''}`;
    case 'core':
    case 'disasm':
    case 'pong':
    case 'btf-uploaded':
      return undefined;
  }
}

/** The last snapshot of each map, printed once when the run ends. */
export function formatMaps(maps: MapSnapshot[], stacks: StackProfile[] = []): string {
  return [...maps.flatMap(mapLines), ...stacks.flatMap((p) => stackLines(p))].join('\n');
}

/** The heaviest stacks of a profile, folded (`root;...;leaf value`) as flamegraph.pl reads them. */
function stackLines(p: StackProfile, top = 10): string[] {
  const total = p.samples.reduce((n, s) => n + s.value, 0);
  const lost = p.missing ? `, ${p.missing} stacks lost` : '';
  return [
    `${p.records ? `stacks in ${p.records.source} records (${p.records.field}, bpf_get_stack)` : `stacks ${p.name} × ${p.stackMap}`} (${p.samples.length} stacks, ${total} ${p.unit}${lost}; heaviest ${Math.min(top, p.samples.length)}, folded):`,
    ...p.samples.slice(0, top).map((s) => `  ${s.frames.join(';')} ${s.value}`),
  ];
}

/** A lesson check's verdict as a lesson author or learner reads it in a terminal. */
export function formatVerdict(m: ServerMessageOf<'verdict'>): string {
  return [
    `lesson ${m.lesson}: ${m.passed ? 'PASSED' : 'NOT PASSED'} (${(m.durationMs / 1000).toFixed(1)} s)`,
    // "Not yet: expected X, but Y" is what the ✗ line below says too.
    ...(m.passed || m.summary.startsWith('Not yet') ? [] : [`  ${m.summary}`]),
    ...m.expectations.map((e) => `  ${e.ok ? '✓' : '✗'} ${e.text}${e.detail ? ` — ${e.detail}` : ''}`),
  ].join('\n');
}
