import type {
  Expectation,
  ExpectationResult,
  FieldMatch,
  MapSnapshot,
  ServerMessage,
  ServerMessageOf,
  Value,
} from '@bpfplay/protocol';
import { fillPlaceholders } from '@bpfplay/protocol';

type Planted = Record<string, string | number>;

/**
 * Judges one check's output against its lesson's expectations, frame by frame, so the check can
 * stop the run the moment every expectation is met. Each expectation latches once met ("an event
 * arrived"); what the program did instead is kept as a few samples for the verdict's words.
 */
export class Judge {
  private readonly checks: Check[];

  constructor(expect: Expectation[], planted: Planted, main: string) {
    this.checks = expect.map((e) => makeCheck(fill(e, planted), main));
  }

  observe(m: ServerMessage): void {
    for (const c of this.checks) if (!c.met) c.observe(m);
  }

  allMet(): boolean {
    return this.checks.every((c) => c.met);
  }

  /** True when waiting longer cannot change the verdict (a refusal expected, but the program loaded). */
  decided(): boolean {
    return this.checks.every((c) => c.met || c.settled);
  }

  /** True when the lesson wants the verifier to refuse the program (so a failed load is the goal). */
  expectsRefusal(): boolean {
    return this.checks.some((c) => c.kind === 'verifier');
  }

  /** Each expectation in words; `ran`: the program loaded and ran (else what it did not do says nothing). */
  results(ran = true): ExpectationResult[] {
    return this.checks.map((c) =>
      c.met
        ? { text: c.text, ok: true }
        : {
            text: c.text,
            ok: false,
            detail: ran || c.kind === 'verifier' ? c.detail() : 'not checked: your program did not run',
          },
    );
  }
}

interface Check {
  kind: string;
  text: string;
  met: boolean;
  /** Can no longer be met, whatever comes next. */
  settled?: boolean;
  observe(m: ServerMessage): void;
  detail(): string;
}

/** Every string of an expectation with the planted values in place. */
function fill<T>(v: T, planted: Planted): T {
  if (typeof v === 'string') return fillPlaceholders(v, planted) as T;
  if (Array.isArray(v)) return v.map((x) => fill(x, planted)) as T;
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fillPlaceholders(k, planted), fill(x, planted)])) as T;
  return v;
}

const show = (v: unknown, max = 160): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > max ? `${s.slice(0, max)}…` : s;
};

/** Keeps the first few things a program produced, to show next to a failed expectation. */
class Samples<T> {
  readonly items: T[] = [];
  count = 0;
  add(x: T): void {
    this.count++;
    if (this.items.length < 3 && !this.items.some((y) => JSON.stringify(y) === JSON.stringify(x))) this.items.push(x);
  }
  say(what: string, fmt: (x: T) => string): string {
    if (!this.count) return `your program produced no ${what}`;
    return `your program produced ${this.count} ${what}, e.g. ${this.items.map(fmt).join('; ')}`;
  }
}

function matchText(m: FieldMatch): string {
  if (typeof m === 'string') return JSON.stringify(m);
  if (typeof m === 'number' || typeof m === 'boolean') return String(m);
  if ('matches' in m) return `matching /${m.matches}/`;
  return `≥ ${m.atLeast}`;
}

function fieldsText(fields: Record<string, FieldMatch>): string {
  return Object.entries(fields)
    .map(([k, m]) => (typeof m === 'object' ? `${k} ${matchText(m)}` : `${k} == ${matchText(m)}`))
    .join(', ');
}

/** Integers may arrive as decimal strings (beyond 2^53); compare exactly. */
function asNumber(v: Value | undefined): number | bigint | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

export function matches(actual: Value | undefined, want: FieldMatch): boolean {
  if (actual === undefined) return false;
  if (typeof want === 'string') return actual === want || (typeof actual === 'number' && String(actual) === want);
  if (typeof want === 'boolean') return actual === want;
  if (typeof want === 'number') {
    const n = asNumber(actual);
    return n !== undefined && (typeof n === 'bigint' ? Number.isInteger(want) && n === BigInt(want) : n === want);
  }
  if ('matches' in want)
    return new RegExp(want.matches).test(typeof actual === 'string' ? actual : JSON.stringify(actual));
  const n = asNumber(actual);
  return n !== undefined && (typeof n === 'bigint' ? n >= BigInt(Math.ceil(want.atLeast)) : n >= want.atLeast);
}

/** `slots.7` → value.slots[7]. */
function at(v: Value | undefined, path: string): Value | undefined {
  let cur = v;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : cur[part];
  }
  return cur;
}

function fieldsMatch(v: Value | undefined, fields: Record<string, FieldMatch>): boolean {
  return Object.entries(fields).every(([path, want]) => matches(at(v, path), want));
}

/** The decoded values of an events frame's records. */
export function recordsOf(m: ServerMessageOf<'events'>): Value[] {
  return m.records.map((r) => r.value);
}

function makeCheck(e: Expectation, main: string): Check {
  if ('printk' in e) {
    const re = new RegExp(e.printk);
    const seen = new Samples<string>();
    return {
      kind: 'printk',
      text: e.text ?? `a printk line matching /${e.printk}/`,
      met: false,
      observe(m) {
        if (m.type !== 'printk') return;
        for (const l of m.lines) {
          if (re.test(l.text)) this.met = true;
          else seen.add(l.text);
        }
      },
      detail: () => seen.say('printk lines', (l) => show(l)),
    };
  }
  if ('event' in e) {
    const { source, fields } = e.event;
    const seen = new Samples<Value>();
    return {
      kind: 'event',
      text: e.text ?? `an event${source ? ` from ${source}` : ''} with ${fieldsText(fields)}`,
      met: false,
      observe(m) {
        if (m.type !== 'events' || (source !== undefined && m.source !== source)) return;
        for (const r of recordsOf(m)) {
          if (fieldsMatch(r, fields)) this.met = true;
          else seen.add(r);
        }
      },
      detail: () => seen.say('events', (r) => show(r)),
    };
  }
  if ('map' in e) return mapCheck(e.map, e.text);
  if ('iter' in e) {
    const re = new RegExp(e.iter, 'm');
    let text = '';
    return {
      kind: 'iter',
      text: e.text ?? `the iterator's output matches /${e.iter}/`,
      met: false,
      observe(m) {
        if (m.type !== 'iter') return;
        text += m.text;
        if (re.test(text)) this.met = true;
      },
      detail: () =>
        text
          ? `your iterator printed ${text.split('\n').length} lines, e.g. ${show(text.slice(0, 200))}`
          : 'your program printed no iterator output',
    };
  }
  if ('verifier' in e) {
    const { reason, line } = e.verifier;
    const re = new RegExp(reason);
    let got: string | undefined;
    return {
      kind: 'verifier',
      text: e.text ?? `the verifier refuses the program because ${reason}${line ? ` (line ${line})` : ''}`,
      met: false,
      observe(m) {
        if (m.type === 'loaded' && m.programs.some((p) => p.loaded)) this.settled = true;
        if (m.type !== 'verifier' || m.ok || !m.failure) return;
        const f = m.failure;
        const where = f.location ? ` at ${f.location.file}:${f.location.line}` : '';
        got = `${f.reason}${where}`;
        if (re.test(f.reason) && (line === undefined || (f.location?.file === main && f.location.line === line)))
          this.met = true;
      },
      detail: () => (got ? `the verifier refused it for another reason: ${got}` : 'the verifier accepted your program'),
    };
  }
  const { access, kind } = e.core;
  const re = new RegExp(access);
  const seen = new Samples<string>();
  return {
    kind: 'core',
    text: e.text ?? `a CO-RE relocation${kind ? ` (${kind})` : ''} for ${access}`,
    met: false,
    observe(m) {
      if (m.type !== 'core') return;
      for (const r of m.relocations) {
        if (re.test(r.access) && (kind === undefined || r.kind === kind)) this.met = true;
        else seen.add(`${r.kind} ${r.access}`);
      }
    },
    detail: () => seen.say('CO-RE relocations', (r) => r),
  };
}

function mapCheck(spec: Extract<Expectation, { map: unknown }>['map'], text?: string): Check {
  const keyText =
    spec.key !== undefined
      ? ` key ${matchText(spec.key)}`
      : spec.keyFields
        ? ` a key with ${fieldsText(spec.keyFields)}`
        : ' an entry';
  const valueText =
    spec.value !== undefined
      ? ` with value ${typeof spec.value === 'object' ? matchText(spec.value) : `== ${matchText(spec.value)}`}`
      : spec.valueFields
        ? ` with ${fieldsText(spec.valueFields)}`
        : '';
  let last: MapSnapshot | undefined;
  const keyOk = (k: Value) =>
    (spec.key === undefined || matches(k, spec.key)) && (!spec.keyFields || fieldsMatch(k, spec.keyFields));
  const valueOk = (v: Value) =>
    (spec.value === undefined || matches(v, spec.value)) && (!spec.valueFields || fieldsMatch(v, spec.valueFields));
  return {
    kind: 'map',
    text: text ?? `map ${spec.name} has${keyText}${valueText}`,
    met: false,
    observe(m) {
      if (m.type !== 'maps') return;
      const snap = m.maps.find((x) => x.name === spec.name);
      if (!snap) return;
      last = snap;
      if (snap.entries.some((en) => keyOk(en.key) && valueOk(en.value))) this.met = true;
    },
    detail: () => {
      if (!last) return `there was no map named ${spec.name} (is it declared with that name in SEC(".maps")?)`;
      if (last.error) return `map ${spec.name} could not be read: ${last.error}`;
      const n = last.entries.length + last.more;
      if (!n) return `map ${spec.name} stayed empty`;
      const sameKey = last.entries.find((en) => keyOk(en.key));
      if (sameKey) return `map ${spec.name} has that key, but its value is ${show(sameKey.value)}`;
      return `map ${spec.name} had ${n} entries, none with that key, e.g. ${last.entries
        .slice(0, 3)
        .map((en) => `${show(en.key, 60)} → ${show(en.value, 60)}`)
        .join('; ')}`;
    },
  };
}
