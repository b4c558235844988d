import { readFileSync } from 'node:fs';

/**
 * The dynamic loader's cache (/etc/ld.so.cache, written by ldconfig): library name → the file every
 * process that asks for that name maps. The uprobe and USDT policy reads it so that a section naming
 * `libc.so.6` is checked against, and attached to, the same file processes actually run.
 *
 * Format ("glibc-ld.so.cache1.1", glibc ≥ 2.32 writes only this one): a 48-byte header (magic and
 * version, entry count, string table size, flags, extension offset), then 24-byte entries
 * { int32 flags; uint32 key; uint32 value; uint32 osversion; uint64 hwcap } whose key and value are
 * offsets of NUL-terminated strings from the start of the file. Entries come in the loader's order
 * of preference; the first one for this machine's ABI wins.
 */
const MAGIC = 'glibc-ld.so.cache1.1';
const HEADER = 48;
const ENTRY = 24;
/** flags & 0xff: an ELF library for glibc (FLAG_ELF_LIBC6). */
const FLAG_ELF_LIBC6 = 0x0003;
/** flags & 0xff00 per ABI (glibc's sysdeps/generic/ldconfig.h). */
const ABI_FLAGS: Partial<Record<string, number>> = { x64: 0x0300, arm64: 0x0a00 };

export interface LdCacheEntry {
  name: string;
  path: string;
  flags: number;
}

/** Every entry of a cache file's bytes; an unknown or truncated file gives none. */
export function parseLdCache(bytes: Uint8Array): LdCacheEntry[] {
  if (bytes.length < HEADER || Buffer.from(bytes.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC) return [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = v.getUint32(20, true);
  const out: LdCacheEntry[] = [];
  const str = (off: number) => {
    if (off >= bytes.length) return undefined;
    const end = bytes.indexOf(0, off);
    return Buffer.from(bytes.subarray(off, end < 0 ? bytes.length : end)).toString('utf8');
  };
  for (let i = 0; i < count; i++) {
    const at = HEADER + i * ENTRY;
    if (at + ENTRY > bytes.length) break;
    const name = str(v.getUint32(at + 4, true));
    const path = str(v.getUint32(at + 8, true));
    if (name && path) out.push({ name, path, flags: v.getInt32(at, true) });
  }
  return out;
}

/** The path the loader's cache gives for `name` on this machine's ABI, if any. */
export function ldCacheLookup(
  name: string,
  entries: readonly LdCacheEntry[],
  arch: string = process.arch,
): string | undefined {
  const abi = ABI_FLAGS[arch];
  return entries.find(
    (e) => e.name === name && (e.flags & 0xff) === FLAG_ELF_LIBC6 && (abi === undefined || (e.flags & 0xff00) === abi),
  )?.path;
}

/** The host's cache, read on each call: ldconfig may run while the agent does (a package upgrade). */
export function readLdCache(path = '/etc/ld.so.cache'): LdCacheEntry[] {
  try {
    return parseLdCache(readFileSync(path));
  } catch {
    return [];
  }
}
