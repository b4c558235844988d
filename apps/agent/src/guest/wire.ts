/**
 * The messages between the agent and bpfplay-guest (guest/loader.c) over the guest's virtio-serial
 * port; the table is guest/wire.h, kept equal by test/guest/wire.test.ts. Each message: u32 LE length
 * of what follows, u8 kind, payload.
 */
export const TO = {
  object: 'O',
  name: 'N',
  skip: 'S',
  mode: 'T',
  initial: 'I',
  resize: 'Z',
  config: 'C',
  go: 'G',
  quit: 'Q',
  ksyms: 'Y',
} as const;

export const FROM = {
  ready: 'r',
  log: 'l',
  verifier: 'v',
  program: 'p',
  map: 'm',
  loaded: 'L',
  failed: 'f',
  link: 'a',
  attached: 'A',
  now: 'n',
  record: 'e',
  sample: 'P',
  lost: 'x',
  entry: 'k',
  mapEnd: 'K',
  snapshot: 's',
  snapshotEnd: 'E',
  iter: 'i',
  done: 'd',
  ksyms: 'y',
} as const;

export const MODE = { iter: 1, perfEvent: 2 } as const;

export function message(kind: string, ...parts: (Uint8Array | string)[]): Buffer {
  const bufs = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)));
  const len = 1 + bufs.reduce((n, b) => n + b.length, 0);
  const head = Buffer.alloc(5);
  head.writeUInt32LE(len, 0);
  head[4] = kind.charCodeAt(0);
  return Buffer.concat([head, ...bufs]);
}

export const u32 = (...v: number[]): Buffer => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
  return b;
};
export const u8 = (v: number): Buffer => Buffer.from([v]);
export const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

/** A message from the guest; `p` is its payload (a view into the reader's buffer, valid during the call). */
export interface GuestMessage {
  kind: string;
  p: Buffer;
}

/**
 * The largest message a guest may send: a program's full verifier log (4 MiB in loader.c) with room
 * to spare. The guest is not trusted — its kernel runs the user's programs, which may write to the
 * loader's memory there (bpf_probe_write_user is allowed in guests) — so a length past this, or a
 * payload shorter than its fields, ends the guest instead of growing a buffer or crashing the runner.
 */
export const MAX_GUEST_MESSAGE = 16 << 20;

/** Reassembles guest messages from the port's chunks. */
export class GuestReader {
  private buf: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(
    private readonly onMessage: (m: GuestMessage) => void,
    /** The guest broke the wire format: nothing after this is read. */
    private readonly onError: (why: string) => void = () => {},
    private readonly maxMessage = MAX_GUEST_MESSAGE,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let off = 0;
    while (this.buf.length - off >= 5) {
      const len = this.buf.readUInt32LE(off);
      if (len < 1 || len > this.maxMessage) return this.fail(`a message of ${len} bytes (limit ${this.maxMessage})`);
      if (this.buf.length - off < 4 + len) break;
      const kind = String.fromCharCode(this.buf[off + 4]!);
      try {
        this.onMessage({ kind, p: this.buf.subarray(off + 5, off + 4 + len) });
      } catch (e) {
        return this.fail(`a '${kind}' message it could not have meant (${(e as Error).message})`);
      }
      off += 4 + len;
    }
    this.buf = this.buf.subarray(off);
  }

  private fail(what: string): void {
    this.broken = true;
    this.buf = Buffer.alloc(0);
    this.onError(`the guest sent ${what}; it was stopped`);
  }
}

/** Payload readers: strings end in a NUL, the last one runs to the end of the payload. */
export class Fields {
  private off = 0;
  constructor(private readonly p: Buffer) {}
  u8(): number {
    return this.p[this.off++]!;
  }
  u16(): number {
    const v = this.p.readUInt16LE(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    const v = this.p.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }
  i32(): number {
    const v = this.p.readInt32LE(this.off);
    this.off += 4;
    return v;
  }
  u64(): bigint {
    const v = this.p.readBigUInt64LE(this.off);
    this.off += 8;
    return v;
  }
  str(): string {
    const end = this.p.indexOf(0, this.off);
    const stop = end < 0 ? this.p.length : end;
    const s = this.p.toString('utf8', this.off, stop);
    this.off = stop + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const b = this.p.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  rest(): Buffer {
    const b = this.p.subarray(Math.min(this.off, this.p.length));
    this.off = this.p.length;
    return b;
  }
  text(): string {
    return this.rest().toString('utf8');
  }
}
