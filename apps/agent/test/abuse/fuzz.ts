/**
 * Protocol fuzzing: random and mutated client messages, property-checked with fast-check. The
 * property: the agent answers every message with exactly the frame the protocol says — a protocol
 * error for anything that is not a valid message (`bad-json` or `bad-message`, as our own parser
 * classifies it), `pong` for a ping, `not-found` for a stop of no run — in order, and never crashes.
 * Valid `run` messages are not sent (they would compile); everything else is.
 */
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { parseClientMessage } from '@bpfplay/protocol';

export type Expected = 'bad-json' | 'bad-message' | 'pong' | 'not-found' | 'btf';

const program = '#include "vmlinux.h"\nSEC("tp/x/y") int p(void *c) { return 0; }\n';
const TEMPLATES: Record<string, unknown>[] = [
  {
    type: 'run',
    runId: 'r1',
    snippet: { files: [{ name: 'p.bpf.c', content: program }] },
    options: { durationSec: 5, params: { a: 1 } },
  },
  {
    type: 'run',
    runId: 'r2',
    snippet: {
      files: [
        { name: 'p.bpf.c', content: program },
        { name: 'p.h', content: '' },
      ],
      main: 'p.bpf.c',
    },
  },
  { type: 'stop', runId: 'r1' },
  { type: 'ping', t: 1 },
  { type: 'btf-upload', name: 'k.btf', data: 'AAAA' },
];

const weird = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -1e-308,
    '',
    ' ',
    '\u0000',
    '\ud800',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    'a'.repeat(70_000),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true }),
);

/** Walk to a random path in a JSON value and change, delete or add something there. */
function mutate(value: unknown, path: number[], action: number, replacement: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const clone: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(clone);
  if (keys.length === 0 || path.length === 0) {
    (clone as Record<string, unknown>)[key] = replacement;
    return clone;
  }
  const k = keys[path[0]! % keys.length]!;
  const c = clone as Record<string, unknown>;
  if (path.length === 1) {
    if (action === 0) delete c[k];
    else if (action === 1) c[k] = replacement;
    else if (action === 2) c[key] = replacement;
    else c[k] = [c[k], c[k]];
  } else c[k] = mutate(c[k], path.slice(1), action, replacement, key);
  return clone;
}

const mutated = fc
  .tuple(
    fc.constantFrom(...TEMPLATES),
    fc.array(fc.tuple(fc.array(fc.nat(8), { maxLength: 5 }), fc.nat(3), weird, fc.string({ maxLength: 8 })), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([t, ms]) =>
    JSON.stringify(ms.reduce<unknown>((v, [path, action, r, key]) => mutate(v, path, action, r, key), t)),
  );

/** Text that is almost JSON: a valid message cut, doubled, or with a byte flipped. */
const broken = fc
  .tuple(fc.constantFrom(...TEMPLATES.map((t) => JSON.stringify(t))), fc.nat(), fc.nat(255), fc.nat(2))
  .map(([s, at, byte, how]) => {
    const i = at % (s.length + 1);
    if (how === 0) return s.slice(0, i);
    if (how === 1) return s + s;
    return s.slice(0, i) + String.fromCharCode(byte) + s.slice(i + 1);
  });

const deep = fc.nat(200_000).map((n) => `{"type":"run","runId":"d","snippet":${'['.repeat(n)}${']'.repeat(n)}}`);

/** One fuzz message: random JSON, random text, mutated valid messages, broken JSON, deep nesting. */
export const fuzzMessage: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: mutated, weight: 6 },
  { arbitrary: broken, weight: 3 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 2 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 2 },
  { arbitrary: deep, weight: 1 },
);

/** What the agent must answer to `text`, or undefined for a valid run (not sent). */
export function expectedAnswer(text: string): Expected | undefined {
  const r = parseClientMessage(text);
  if (!r.ok) return r.code;
  switch (r.message.type) {
    case 'ping':
      return 'pong';
    case 'stop':
      return 'not-found';
    case 'btf-upload':
      return 'btf';
    case 'run':
      return undefined;
  }
}

function answerKind(frame: { type: string; code?: string }): Expected | string {
  if (frame.type === 'pong') return 'pong';
  if (frame.type === 'btf-uploaded') return 'btf';
  if (
    frame.type === 'error' &&
    (frame.code === 'bad-json' || frame.code === 'bad-message' || frame.code === 'not-found')
  )
    return frame.code;
  if (frame.type === 'error' && frame.code === 'too-large') return 'bad-message';
  return `${frame.type}${frame.code ? `:${frame.code}` : ''}`;
}

/**
 * A raw connection for fuzzing: frames are JSON-parsed but not schema-checked (the fuzzer checks
 * what matters: which answer came back), so thousands of messages cost little on the client side.
 */
export class FuzzConnection {
  private readonly ws: WebSocket;
  private readonly frames: { type: string; code?: string; t?: number }[] = [];
  private waiter?: () => void;
  readonly opened: Promise<void>;
  closed?: { code: number; reason: string };
  /** When set, every frame's raw text goes here instead of the answer list (the load test's flood client). */
  onFrame?: (raw: string) => void;

  constructor(wsUrl: string, token: string) {
    const u = new URL(wsUrl);
    u.searchParams.set('token', token);
    this.ws = new WebSocket(u);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (d) => {
      if (this.onFrame) return this.onFrame(d.toString());
      const f = JSON.parse(d.toString()) as { type: string; code?: string; t?: number };
      if (f.type !== 'hello') this.frames.push(f);
      this.waiter?.();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.waiter?.();
    });
    this.ws.on('error', () => {});
  }

  /**
   * Send a batch, then a ping carrying `marker`; resolve with the answers that came before the
   * matching pong, as kinds comparable to `expectedAnswer`.
   */
  async exchange(batch: (string | Buffer)[], marker: number, timeoutMs = 30_000): Promise<(Expected | string)[]> {
    await this.opened;
    this.frames.length = 0;
    for (const m of batch) this.ws.send(m, { binary: typeof m !== 'string' });
    this.ws.send(JSON.stringify({ type: 'ping', t: marker }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.frames.findIndex((f) => f.type === 'pong' && f.t === marker);
      if (end >= 0) return this.frames.slice(0, end).map(answerKind);
      if (this.closed) throw new Error(`the agent closed the connection: ${this.closed.code} ${this.closed.reason}`);
      if (Date.now() > deadline)
        throw new Error(`no answer to the batch within ${timeoutMs} ms (got ${this.frames.length} frames)`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 200);
      });
    }
  }

  sendRaw(data: Buffer | string, binary: boolean): void {
    this.ws.send(data, { binary });
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (!this.closed) throw new Error('the connection stayed open');
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}

export interface FuzzFigures {
  messages: number;
  validRunsSkipped: number;
  answered: number;
  byAnswer: Record<string, number>;
  connections: number;
}

/**
 * Property: for any batch of fuzz messages (plus random binary frames), the answers are exactly the
 * expected ones, in order. Returns counts for the summary; throws fast-check's report (with the
 * seed and a shrunk counterexample) when the property fails.
 */
export async function fuzzAgent(
  wsUrl: string,
  token: string,
  opts: { messages: number; seed: number; batch?: number; perConnection: number },
): Promise<FuzzFigures> {
  const batchSize = opts.batch ?? 100;
  const figures: FuzzFigures = { messages: 0, validRunsSkipped: 0, answered: 0, byAnswer: {}, connections: 1 };
  let conn = new FuzzConnection(wsUrl, token);
  let onConn = 0;
  let marker = 1;
  const batchArb = fc.array(
    fc.oneof(
      { arbitrary: fuzzMessage, weight: 20 },
      { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 1 },
    ),
    {
      minLength: batchSize,
      maxLength: batchSize,
    },
  );
  const details = await fc.check(
    fc.asyncProperty(batchArb, async (batch) => {
      // The agent closes a connection after maxProtocolErrors bad messages (tested on its own).
      if (onConn + batchSize >= opts.perConnection) {
        conn.close();
        conn = new FuzzConnection(wsUrl, token);
        figures.connections++;
        onConn = 0;
      }
      onConn += batchSize;
      const sent: (string | Buffer)[] = [];
      const expected: Expected[] = [];
      for (const m of batch) {
        const e = typeof m === 'string' ? expectedAnswer(m) : 'bad-message';
        if (e === undefined) {
          figures.validRunsSkipped++;
          continue;
        }
        sent.push(m);
        expected.push(e);
      }
      // A marker no generated ping carries (templates use t: 1; mutations rarely make this exact double).
      const got = await conn.exchange(sent, -987_654_321.125 - marker++);
      figures.messages += sent.length;
      figures.answered += got.length;
      for (const g of got) figures.byAnswer[g] = (figures.byAnswer[g] ?? 0) + 1;
      // btf-upload with garbage data is answered with an error or, should the bytes parse, an upload.
      const norm = (k: string) => (k === 'btf' || k === 'bad-message' ? 'btf|bad-message' : k);
      const wrong: string[] = [];
      for (let i = 0; i < Math.max(got.length, expected.length); i++) {
        const e = expected[i];
        const g = got[i];
        if (e === 'btf' ? norm(g ?? '') === 'btf|bad-message' : g === e) continue;
        const m = sent[i];
        const shown =
          typeof m === 'string'
            ? JSON.stringify(m.length > 160 ? `${m.slice(0, 160)}…(${m.length} chars)` : m)
            : `<binary ${m?.length} bytes>`;
        wrong.push(`#${i} ${shown}: expected ${e}, got ${g}`);
        if (wrong.length >= 5) break;
      }
      if (wrong.length)
        throw new Error(`${got.length} answers to ${expected.length} messages; first mismatches:\n${wrong.join('\n')}`);
    }),
    // No shrinking: each run is a round trip to a real agent; the mismatch report above is enough.
    { numRuns: Math.ceil(opts.messages / batchSize), seed: opts.seed, endOnFailure: true },
  );
  conn.close();
  if (details.failed) {
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`fuzz property failed (seed ${details.seed}, run ${details.numRuns}): ${why}`);
  }
  return figures;
}
