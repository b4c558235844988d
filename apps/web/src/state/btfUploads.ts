import { MAX_CLIENT_MESSAGE_BYTES, type ClientMessage, type ServerMessageOf } from '@bpfplay/protocol';

/** One BTF file the user gave to check CO-RE relocations against. */
export interface BtfUpload {
  name: string;
  bytes: number;
  state: 'sending' | 'ready' | 'failed';
  /** Type count the agent found in it (once ready). */
  types?: number;
  error?: string;
}

/** Room left in one client message for the JSON around the base64. */
const ENVELOPE_BYTES = 1024;
/** Largest raw file whose base64 fits in one client message (the agent's WebSocket maxPayload). */
export const MAX_BTF_UPLOAD_BYTES = Math.floor(((MAX_CLIENT_MESSAGE_BYTES - ENVELOPE_BYTES) * 3) / 4);

/**
 * A name the protocol accepts (letters, digits, _ . + -), from the file's name: `vmlinux-5.10.btf`
 * becomes `vmlinux-5.10`, as bundled targets are named without `.btf`.
 */
export function uploadName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.btf$/i, '');
  const clean = base
    .replace(/[^A-Za-z0-9_.+-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
  return clean || 'uploaded-btf';
}

/** base64 of bytes without a 5 MB string argument list (String.fromCharCode(...big) overflows the stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) bin += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(bin);
}

/**
 * The BTF files uploaded from this tab. The agent keeps an upload for as long as the WebSocket
 * session lives, so the data stays here too and is sent again after a reconnect.
 */
export class BtfUploads {
  list: BtfUpload[] = [];
  private readonly data = new Map<string, string>();

  /** Start an upload; the message to send, or why the file cannot be sent. */
  add(
    fileName: string,
    bytes: Uint8Array,
  ): { ok: true; name: string; message: ClientMessage } | { ok: false; error: string } {
    const name = uploadName(fileName);
    if (bytes.length === 0)
      return { ok: false, error: `${fileName} is empty: pick another kernel's /sys/kernel/btf/vmlinux` };
    if (bytes.length > MAX_BTF_UPLOAD_BYTES) {
      return {
        ok: false,
        error: `${fileName} is ${(bytes.length / 1048576).toFixed(1)} MiB; one upload holds at most ${(MAX_BTF_UPLOAD_BYTES / 1048576).toFixed(1)} MiB (a kernel's BTF is about 5 MiB): is it really a BTF file?`,
      };
    }
    const data = bytesToBase64(bytes);
    this.data.set(name, data);
    this.list = [...this.list.filter((u) => u.name !== name), { name, bytes: bytes.length, state: 'sending' }];
    return { ok: true, name, message: { type: 'btf-upload', name, data } };
  }

  uploaded(m: ServerMessageOf<'btf-uploaded'>): void {
    this.list = this.list.map((u) =>
      u.name === m.name ? { name: u.name, bytes: u.bytes, state: 'ready', types: m.types } : u,
    );
  }

  /**
   * The agent answers a bad upload with an `error` that has no runId and does not name the upload;
   * uploads are answered in order, so it belongs to the oldest one still waiting. True when claimed.
   */
  failed(m: ServerMessageOf<'error'>): boolean {
    // A refused upload is a bad-message (not BTF), too-large, or quota (the agent's upload caps:
    // files per session, size per file, total); a run's error carries its runId.
    if (m.runId !== undefined || !['bad-message', 'too-large', 'quota'].includes(m.code)) return false;
    const waiting = this.list.find((u) => u.state === 'sending');
    if (!waiting) return false;
    this.data.delete(waiting.name);
    this.list = this.list.map((u) =>
      u === waiting ? { name: u.name, bytes: u.bytes, state: 'failed', error: m.message } : u,
    );
    return true;
  }

  remove(name: string): void {
    this.data.delete(name);
    this.list = this.list.filter((u) => u.name !== name);
  }

  /** Names a run may ask for now. */
  ready(): string[] {
    return this.list.filter((u) => u.state === 'ready').map((u) => u.name);
  }

  /** After a reconnect the new agent session has none of them: send them again. */
  resend(): ClientMessage[] {
    const out: ClientMessage[] = [];
    this.list = this.list.map((u) => {
      const data = this.data.get(u.name);
      if (!data) return u;
      out.push({ type: 'btf-upload', name: u.name, data });
      return { name: u.name, bytes: u.bytes, state: 'sending' };
    });
    return out;
  }
}
