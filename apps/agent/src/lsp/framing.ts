/**
 * The LSP base protocol on a byte stream: `Content-Length: N\r\n\r\n` then N bytes of JSON. clangd
 * writes exactly this on stdout; the reader below takes chunks as they come (a header or a body can
 * be split anywhere) and refuses a message over `maxBytes` instead of buffering it.
 */

export type JsonRpcMessage = {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
};

export function encodeMessage(msg: object): Buffer {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

export class MessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private need: number | undefined;

  constructor(
    private readonly onMessage: (m: JsonRpcMessage) => void,
    private readonly onError: (why: string) => void,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.need === undefined) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buf.length > 4096) return this.fail('an LSP header longer than 4 KiB');
          return;
        }
        const header = this.buf.subarray(0, end).toString('ascii');
        const m = /(?:^|\r\n)Content-Length:\s*(\d+)/i.exec(header);
        if (!m) return this.fail(`an LSP header without Content-Length: ${JSON.stringify(header.slice(0, 80))}`);
        const n = Number(m[1]);
        if (n > this.maxBytes) return this.fail(`an LSP message of ${n} bytes (limit ${this.maxBytes})`);
        this.need = n;
        this.buf = this.buf.subarray(end + 4);
      }
      if (this.buf.length < this.need) return;
      const body = this.buf.subarray(0, this.need);
      this.buf = this.buf.subarray(this.need);
      this.need = undefined;
      let msg: JsonRpcMessage;
      try {
        msg = JSON.parse(body.toString('utf8')) as JsonRpcMessage;
      } catch (e) {
        return this.fail(`an LSP message that is not JSON (${(e as Error).message})`);
      }
      this.onMessage(msg);
    }
  }

  private fail(why: string): void {
    // The stream cannot be resynchronised after a bad frame: drop everything; the owner ends the process.
    this.buf = Buffer.alloc(0);
    this.need = undefined;
    this.onError(why);
  }
}
