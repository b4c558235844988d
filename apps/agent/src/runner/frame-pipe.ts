import type { Socket } from 'node:net';
import type { ServerMessage } from '@bpfplay/protocol';
import type { FromRun, FromRunner } from './ipc.js';

/**
 * Runner → agent messages over a plain pipe (the runner's fd 4) instead of Node's IPC channel.
 *
 * Node's `advanced` IPC serializes every message with V8's serializer, which copies a frame into a
 * buffer it grows by doubling; measured here on 1 MiB frames: ~5.5 ms of runner CPU and ~3 ms of
 * agent CPU per MiB. Length-prefixed bytes on a pipe cost the runner ~0.4 ms and the agent ~2 ms
 * per MiB (one copy to reassemble). Everything the runner reports goes this way, frames and state
 * alike, so their order is the order they were sent: a `done` never overtakes the last frames.
 *
 * A message: u32 length of the rest (LE) · u8 kind · u32 slot (the run's, runner/ipc.ts) · payload.
 *   kind 0, frame:   u8 type length · type (ASCII) · the frame's JSON (UTF-8, without `seq`)
 *   kind 1, control: JSON of any other message of a run (state, done)
 *   kind 2, binary:  u32 header length · header JSON · records (a binary events frame without `seq`)
 */
const FRAME = 0;
/** Frame buffers kept for reuse (a few frames can be in flight when the agent is behind). */
const MAX_SPARE = 8;
const CONTROL = 1;
const BINARY = 2;

export const FRAME_PIPE_FD = 4;

/** Writes runner messages to the pipe; `backlog` says how much the agent has not read yet. */
export class FramePipeWriter {
  /**
   * Buffers frames are copied into, back here once the socket has written them: fresh memory costs
   * a page fault per 4 KiB in this VM (~0.5 ms per MiB measured), reused memory does not.
   */
  private readonly spare: Buffer[] = [];

  /** Corked until the end of this turn of the event loop (see `send`). */
  private corked = false;

  constructor(private readonly socket: Socket) {}

  /**
   * Everything sent in one turn of the event loop (a message's header and body, every run's frames
   * of one poll) leaves in one writev when the turn ends, and the agent reads it in one wake-up:
   * two writes per frame were a syscall each, and each woke the agent on its own.
   */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  private copyOf(bytes: Uint8Array): { buf: Buffer; release: () => void } {
    const i = this.spare.findIndex((b) => b.length >= bytes.length);
    // Powers of two, so a buffer fits the next frames of about the same size.
    const big =
      i >= 0
        ? this.spare.splice(i, 1)[0]!
        : Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(Math.max(64 * 1024, bytes.length))));
    big.set(bytes, 0);
    return {
      buf: big.subarray(0, bytes.length),
      release: () => {
        if (this.spare.length < MAX_SPARE) this.spare.push(big);
      },
    };
  }

  send(m: FromRun & { slot: number }): void {
    this.cork();
    if (m.t === 'frame') {
      const type = Buffer.from(m.type, 'latin1');
      const body = typeof m.json === 'string' ? Buffer.from(m.json, 'utf8') : m.json;
      const head = Buffer.allocUnsafe(10 + type.length);
      head.writeUInt32LE(6 + type.length + body.length, 0);
      head[4] = FRAME;
      head.writeUInt32LE(m.slot, 5);
      head[9] = type.length;
      type.copy(head, 10);
      this.socket.write(head);
      if (typeof m.json === 'string') this.socket.write(body);
      else {
        // The socket keeps a reference until it has written the bytes; the caller reuses its buffer.
        const { buf, release } = this.copyOf(body);
        this.socket.write(buf, release);
      }
    } else if (m.t === 'binary') {
      const header = typeof m.header === 'string' ? Buffer.from(m.header, 'utf8') : m.header;
      const head = Buffer.allocUnsafe(13 + header.length);
      head.writeUInt32LE(9 + header.length + m.records.length, 0);
      head[4] = BINARY;
      head.writeUInt32LE(m.slot, 5);
      head.writeUInt32LE(header.length, 9);
      head.set(header, 13);
      this.socket.write(head);
      if (m.records.length) {
        const { buf, release } = this.copyOf(m.records);
        this.socket.write(buf, release);
      }
    } else {
      const body = Buffer.from(JSON.stringify(m), 'utf8');
      const head = Buffer.allocUnsafe(9);
      head.writeUInt32LE(5 + body.length, 0);
      head[4] = CONTROL;
      head.writeUInt32LE(m.slot, 5);
      this.socket.write(head);
      this.socket.write(body);
    }
  }

  /** Bytes written but not yet taken by the agent (queued in this process). */
  backlog(): number {
    return this.socket.writableLength;
  }

  /** Flush what is queued, then call `done` (the runner exits right after). */
  end(done: () => void): void {
    this.socket.end(done);
  }
}

/** Reassembles messages from the pipe's chunks; a frame's bytes are copied once, into its own buffer. */
export class FramePipeReader {
  private header = Buffer.alloc(4);
  private headerLen = 0;
  private msg: Buffer | undefined;
  private msgLen = 0;

  constructor(private readonly onMessage: (m: FromRunner) => void) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (!this.msg) {
        while (this.headerLen < 4 && i < chunk.length) this.header[this.headerLen++] = chunk[i++]!;
        if (this.headerLen < 4) return;
        const len = this.header.readUInt32LE(0);
        this.msg = Buffer.allocUnsafe(len);
        this.msgLen = 0;
        this.headerLen = 0;
      }
      const n = Math.min(this.msg.length - this.msgLen, chunk.length - i);
      chunk.copy(this.msg, this.msgLen, i, i + n);
      this.msgLen += n;
      i += n;
      if (this.msgLen === this.msg.length) {
        const msg = this.msg;
        this.msg = undefined;
        this.onMessage(this.decode(msg));
      }
    }
  }

  private decode(buf: Buffer): FromRunner {
    const slot = buf.readUInt32LE(1);
    if (buf[0] === FRAME) {
      const typeLen = buf[5]!;
      // Written by our own runner from a typed Emit: the type is one of the protocol's.
      const type = buf.toString('latin1', 6, 6 + typeLen) as ServerMessage['type'];
      return { t: 'frame', slot, type, json: buf.subarray(6 + typeLen) };
    }
    if (buf[0] === BINARY) {
      const h = buf.readUInt32LE(5);
      // After kind and slot the message is laid out as the WebSocket message: sent from this buffer.
      return {
        t: 'binary',
        slot,
        header: buf.subarray(9, 9 + h),
        records: buf.subarray(9 + h),
        wire: buf.subarray(5),
      };
    }
    return JSON.parse(buf.toString('utf8', 5)) as FromRunner;
  }
}
