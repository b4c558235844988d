import type { WebSocket } from 'ws';
import type { ClientMessage, ServerPayload } from '@bpfplay/protocol';
import { parseClientMessage } from '@bpfplay/protocol';
import type { AgentLimits } from '../limits.js';
import { stampSeq } from '../stream/binary-frame.js';

export interface ConnectionHandler {
  onMessage(msg: ClientMessage): void;
  /** The socket backed up (true) or drained (false). */
  onBackpressure(backedUp: boolean): void;
  onClose(): void;
}

/**
 * Frames from a runner up to this size are copied once to splice `seq` in; larger ones go as two
 * fragments of one message (not copied again). Each `ws.send` is a write of its own.
 */
const SPLICE_COPY_BYTES = 64 * 1024;

/**
 * One client WebSocket: stamps `seq` on every frame, parses every incoming message against the
 * protocol, answers bad input with an `error` frame (the connection stays usable), and watches the
 * socket's buffer so bulk output can be paused instead of growing memory.
 */
export class Connection {
  private seq = 0;
  private protocolErrors = 0;
  private backedUp = false;
  private handler?: ConnectionHandler;
  /** Runs only while backed up: a timer per session always on woke the agent 20 times a second per learner. */
  private drainTimer?: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: AgentLimits,
  ) {
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on('close', () => {
      clearInterval(this.drainTimer);
      this.handler?.onClose();
    });
    ws.on('error', () => ws.terminate());
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(payload: ServerPayload): void {
    if (!this.open) return;
    this.ws.send(JSON.stringify({ ...payload, seq: this.seq++ }));
  }

  /**
   * A frame built elsewhere as JSON `{"type":...}`: splice `seq` in without parsing it again. Bytes
   * (UTF-8 JSON from the runner) go out as a text message, as every other frame does.
   */
  forward(json: string | Uint8Array): void {
    if (!this.open) return;
    if (typeof json === 'string') this.ws.send(`{"seq":${this.seq++},${json.slice(1)}`);
    else if (json.length <= SPLICE_COPY_BYTES) {
      // One message, one write: a small frame is cheaper copied than sent in two fragments.
      const prefix = `{"seq":${this.seq++},`;
      const out = Buffer.allocUnsafe(prefix.length + json.length - 1);
      out.write(prefix, 0, 'latin1');
      out.set(json.subarray(1), prefix.length);
      this.ws.send(out, { binary: false });
    } else {
      // Two fragments of one text message: `seq` first, then the frame as it came, not copied again.
      this.ws.send(`{"seq":${this.seq++},`, { fin: false });
      this.ws.send(json.subarray(1), { binary: false, fin: true });
    }
    this.checkBackpressure();
  }

  /**
   * A binary events message as the runner built it (stream/binary-frame.ts): `seq` stamped into
   * its slot, then sent as it is, one binary message (protocol binary-events.ts).
   */
  forwardBinary(message: Uint8Array): void {
    if (!this.open) return;
    stampSeq(message, this.seq++);
    this.ws.send(message, { binary: true });
    this.checkBackpressure();
  }

  error(code: Extract<ServerPayload, { type: 'error' }>['code'], message: string, runId?: string): void {
    this.send({ type: 'error', code, message, ...(runId !== undefined ? { runId } : {}) });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason.slice(0, 120));
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary)
      return this.protocolError('bad-message', 'binary frames are not part of the protocol; send JSON text');
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) return this.protocolError(parsed.code, parsed.message, parsed.runId);
    try {
      this.handler?.onMessage(parsed.message);
    } catch (e) {
      this.error('internal', `agent error handling "${parsed.message.type}": ${(e as Error).message}`);
    }
  }

  private protocolError(code: 'bad-json' | 'bad-message', message: string, runId?: string): void {
    this.error(code, message, runId);
    if (++this.protocolErrors > this.limits.maxProtocolErrors) {
      this.close(1008, 'too many malformed messages');
    }
  }

  private checkBackpressure(): void {
    if (!this.backedUp && this.ws.bufferedAmount > this.limits.highWaterBytes) {
      this.backedUp = true;
      // ws has no "drain" event; poll the buffered amount while backed up.
      this.drainTimer = setInterval(() => this.checkDrain(), 50);
      this.handler?.onBackpressure(true);
    }
  }

  private checkDrain(): void {
    if (this.backedUp && this.ws.bufferedAmount < this.limits.lowWaterBytes) {
      this.backedUp = false;
      clearInterval(this.drainTimer);
      this.handler?.onBackpressure(false);
    }
  }
}
