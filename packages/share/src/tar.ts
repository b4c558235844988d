/**
 * A POSIX ustar writer for "download the files": enough for a folder of small text files, no
 * dependencies, and runs in the browser (Uint8Array + TextEncoder only).
 */
export interface TarEntry {
  name: string;
  content: string | Uint8Array;
}

export interface TarOptions {
  /** Folder the files are put in, e.g. `bpfplay-<id>`; extraction then makes one tidy folder. */
  folder?: string;
  /** Modification time in seconds since the epoch; pass one for byte-identical archives. */
  mtime?: number;
}

const BLOCK = 512;
const encoder = new TextEncoder();

function writeString(buf: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new Error(`tar: "${value}" is longer than its ${length}-byte field`);
  buf.set(bytes, offset);
}

/** Numeric fields are zero-padded octal followed by a NUL, as every tar reads them. */
function writeOctal(buf: Uint8Array, offset: number, length: number, value: number): void {
  const digits = Math.floor(value).toString(8);
  if (digits.length > length - 1) throw new Error(`tar: ${value} does not fit a ${length}-byte field`);
  writeString(buf, offset, length, `${digits.padStart(length - 1, '0')}\0`);
}

/** ustar keeps 100 bytes for the name and 155 for a folder prefix, split at a '/'. */
function splitName(path: string): { name: string; prefix: string } {
  const bytes = encoder.encode(path).length;
  if (bytes <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100) return { name, prefix };
  }
  throw new Error(`tar: the path "${path}" is too long for a ustar archive (100-byte name, 155-byte folder)`);
}

function header(path: string, size: number, type: '0' | '5', mode: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const { name, prefix } = splitName(path);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 265, 32, 'bpfplay');
  writeString(h, 297, 32, 'bpfplay');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Build a .tar archive of the entries, in order. */
export function tarFiles(entries: readonly TarEntry[], opts: TarOptions = {}): Uint8Array {
  const mtime = opts.mtime ?? Math.floor(Date.now() / 1000);
  const folder = opts.folder?.replace(/\/+$/, '');
  const chunks: Uint8Array[] = [];
  if (folder) chunks.push(header(`${folder}/`, 0, '5', 0o755, mtime));
  for (const e of entries) {
    if (e.name === '' || e.name.startsWith('/') || e.name.split('/').includes('..')) {
      throw new Error(`tar: refusing the file name "${e.name}": it would land outside the archive's folder`);
    }
    const data = typeof e.content === 'string' ? encoder.encode(e.content) : e.content;
    chunks.push(header(folder ? `${folder}/${e.name}` : e.name, data.length, '0', 0o644, mtime));
    chunks.push(data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) chunks.push(new Uint8Array(pad));
  }
  chunks.push(new Uint8Array(BLOCK * 2)); // end of archive: two zero blocks
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
