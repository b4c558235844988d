import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic, SnippetFile } from '@bpfplay/protocol';
import { isStorageError, writeFileAtomic } from './storage.js';

/** What a successful compile leaves behind; a hit returns the same warnings as the cold compile. */
export interface CachedCompile {
  object: Buffer;
  diagnostics: Diagnostic[];
  output: string;
}

export interface CacheKeyParts {
  files: readonly SnippetFile[];
  main: string;
  flags: readonly string[];
  clangVersion: string;
  btfHash: string;
  /** sha256 of the generated vmlinux.h (one BTF, several bpftool versions). */
  vmlinuxHash: string;
  /** sha256 of our shim headers and libbpf's headers (toolchain.headersHash). */
  headersHash: string;
}

/** Bumped when the entry format or anything else the key does not see changes. */
const FORMAT = 'bpfplay-object-cache-v1';

export function cacheKey(p: CacheKeyParts): string {
  const files = [...p.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = createHash('sha256');
  // Length-prefixed fields: no two different inputs can serialize to the same bytes.
  const field = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    h.update(`${b.length}:`);
    h.update(b);
  };
  for (const s of [
    FORMAT,
    p.clangVersion,
    p.btfHash,
    p.vmlinuxHash,
    p.headersHash,
    p.main,
    String(p.flags.length),
    ...p.flags,
  ])
    field(s);
  field(String(files.length));
  for (const f of files) {
    field(f.name);
    field(f.content);
  }
  return h.digest('hex');
}

/**
 * Objects on disk under `<cacheDir>/objects/<key>.entry`: a 4-byte length, a JSON header
 * (diagnostics, output, object sha256), then the object. One file per entry, written
 * atomically, so several agents may share the folder. When the total passes `capBytes`, the
 * least recently used entries (file mtime, touched on every hit) go until it is under 80%.
 * Any storage failure is reported once through `warn` and the compile goes on uncached.
 */
export class ObjectCache {
  private readonly entries = new Map<string, { size: number; used: number }>();
  private total = 0;
  private warned = false;

  private constructor(
    private readonly dir: string,
    private readonly capBytes: number,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(cacheDir: string, capBytes: number, warn: (message: string) => void): Promise<ObjectCache> {
    const cache = new ObjectCache(join(cacheDir, 'objects'), capBytes, warn);
    try {
      // Other people's compiled snippets: root's alone (0700 folder, 0600 entries), also in a
      // cache an older agent left open to everyone.
      await mkdir(cache.dir, { recursive: true, mode: 0o700 });
      await chmod(cache.dir, 0o700);
      for (const name of await readdir(cache.dir)) {
        if (!name.endsWith('.entry')) continue;
        const s = await stat(join(cache.dir, name)).catch(() => undefined);
        if (s) cache.remember(name.slice(0, -'.entry'.length), s.size, s.mtimeMs);
      }
    } catch (e) {
      cache.report('open', e);
    }
    return cache;
  }

  get bytes(): number {
    return this.total;
  }

  async get(key: string): Promise<CachedCompile | undefined> {
    const path = this.pathOf(key);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch {
      this.forget(key);
      return undefined;
    }
    const entry = decode(buf);
    if (!entry) {
      // Torn or foreign file: treat as a miss; the next successful compile overwrites it.
      return undefined;
    }
    const now = Date.now();
    this.remember(key, buf.length, now);
    await utimes(path, now / 1000, now / 1000).catch(() => {});
    return entry;
  }

  async put(key: string, value: CachedCompile): Promise<void> {
    const buf = encode(value);
    if (buf.length > this.capBytes) return;
    try {
      await writeFileAtomic(this.pathOf(key), buf);
    } catch (e) {
      this.report('write', e);
      return;
    }
    this.remember(key, buf.length, Date.now());
    if (this.total > this.capBytes) await this.evict();
  }

  private async evict(): Promise<void> {
    // A stable sort: entries used in the same millisecond stay in the map's order, which is their order of use.
    const oldestFirst = [...this.entries].sort((a, b) => a[1].used - b[1].used);
    for (const [key] of oldestFirst) {
      if (this.total <= this.capBytes * 0.8) break;
      await unlink(this.pathOf(key)).catch(() => {});
      this.forget(key);
    }
  }

  private remember(key: string, size: number, used: number): void {
    this.forget(key);
    this.entries.set(key, { size, used });
    this.total += size;
  }

  private forget(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.total -= e.size;
    this.entries.delete(key);
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`bad cache key ${key}`);
    return join(this.dir, `${key}.entry`);
  }

  private report(what: string, e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const why = isStorageError(e) ? 'the folder is read-only or full' : 'unexpected error';
    this.warn(
      `object cache at ${this.dir}: cannot ${what} (${(e as Error).message}; ${why}); ` +
        'compiles continue without caching — fix the folder or pass another cacheDir',
    );
  }
}

function encode(v: CachedCompile): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      diagnostics: v.diagnostics,
      output: v.output,
      objectSha256: createHash('sha256').update(v.object).digest('hex'),
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([len, header, v.object]);
}

function decode(buf: Buffer): CachedCompile | undefined {
  if (buf.length < 4) return undefined;
  const len = buf.readUInt32LE(0);
  if (4 + len > buf.length) return undefined;
  try {
    const h = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as {
      diagnostics: Diagnostic[];
      output: string;
      objectSha256: string;
    };
    const object = Buffer.from(buf.subarray(4 + len));
    if (createHash('sha256').update(object).digest('hex') !== h.objectSha256) return undefined;
    return { object, diagnostics: h.diagnostics, output: h.output };
  } catch {
    return undefined;
  }
}
