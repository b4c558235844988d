import type { Value } from './common';
import {
  EAI_NAMES,
  ERRNO_NAMES,
  IPPROTO_NAMES,
  OPEN_FLAG_BITS,
  SIGNAL_NAMES,
  SYSCALL_NAMES,
} from './number-names-data';

/**
 * Names for the numbers records are full of: errno → ENOENT, syscall 257 → openat, a __be32
 * address → 10.0.0.1, flags 524288 → O_RDONLY|O_CLOEXEC. Which fields hold which kind of number
 * is decided once per field when the record layout is built (decode/formatters.ts); this module
 * only names a value of a known kind. Pure tables and functions: the same in the agent, the CLI
 * and the browser.
 */
export type NumberKind =
  /** An errno value, positive or negative (`-ENOENT`). */
  | 'errno'
  /** A return value: -errno when negative, a count or fd otherwise (left as it is). */
  | 'ret-errno'
  /** getaddrinfo()'s result: 0 or a negative EAI_* code (not an errno: EAI_NONAME is -2). */
  | 'eai'
  | 'syscall'
  | 'signal'
  | 'ipproto'
  | 'open-flags'
  | 'af'
  /** IPv4 address as stored in memory: a 32-bit integer read little-endian, or 4 bytes. */
  | 'ipv4'
  /** IPv6 address: 16 bytes, 8 16-bit or 4 32-bit words (read little-endian), or a 128-bit integer. */
  | 'ipv6'
  /** A port in network byte order (__be16), read little-endian: its number in host order. */
  | 'port-be';

const AF_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'AF_UNSPEC'],
  [1, 'AF_UNIX'],
  [2, 'AF_INET'],
  [10, 'AF_INET6'],
  [16, 'AF_NETLINK'],
  [17, 'AF_PACKET'],
]);

/**
 * The value's readable form (a name; a port's host-order number), or undefined when it has none:
 * the raw value is then shown as it is.
 */
export function nameOfNumber(kind: NumberKind, v: Value): string | number | undefined {
  if (kind === 'ipv4' && Array.isArray(v)) return v.length === 4 && v.every(isByte) ? v.join('.') : undefined;
  if (kind === 'ipv6') {
    const b = ipv6Bytes(v);
    return b ? ipv6(b) : undefined;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
  if (n === undefined || !Number.isSafeInteger(n)) return undefined;
  switch (kind) {
    case 'errno': {
      const name = ERRNO_NAMES.get(Math.abs(n));
      return name === undefined ? undefined : n < 0 ? `-${name}` : name;
    }
    case 'ret-errno':
      return n < 0 && ERRNO_NAMES.has(-n) ? `-${ERRNO_NAMES.get(-n)}` : undefined;
    case 'eai':
      return EAI_NAMES.get(n);
    case 'syscall':
      return SYSCALL_NAMES.get(n);
    case 'signal':
      return SIGNAL_NAMES.get(n) ?? (n >= 32 && n <= 64 ? `SIGRTMIN+${n - 32}` : undefined);
    case 'ipproto': {
      const name = IPPROTO_NAMES.get(n);
      return name?.replace(/^IPPROTO_/, '');
    }
    case 'af':
      return AF_NAMES.get(n);
    case 'open-flags':
      return openFlags(n);
    case 'ipv4':
      // A __be32 read as a little-endian number: its first byte in memory is the lowest.
      // A signed 32-bit field holds the same four bytes.
      return n >= -0x80000000 && n <= 0xffffffff
        ? [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.')
        : undefined;
    case 'port-be':
      return n >= 0 && n <= 0xffff ? ((n & 0xff) << 8) | (n >>> 8) : undefined;
  }
}

/** The kinds named by a table of values (the others are computed: flags, addresses, ports). */
export type TableKind = 'errno' | 'eai' | 'syscall' | 'signal' | 'ipproto' | 'af';

/**
 * The table behind a table kind, for code that names numbers elsewhere (the exported C loader,
 * apps/agent/src/export/c-names.ts): value → the name nameOfNumber gives it (errno without its sign,
 * ipproto without IPPROTO_). Signals past 31 (SIGRTMIN+n) are computed, not listed.
 */
export function numberTable(kind: TableKind): ReadonlyMap<number, string> {
  switch (kind) {
    case 'errno':
      return ERRNO_NAMES;
    case 'eai':
      return EAI_NAMES;
    case 'syscall':
      return SYSCALL_NAMES;
    case 'signal':
      return SIGNAL_NAMES;
    case 'ipproto':
      return new Map([...IPPROTO_NAMES].map(([v, n]) => [v, n.replace(/^IPPROTO_/, '')]));
    case 'af':
      return AF_NAMES;
  }
}

/** open() flag bits above the access mode, as nameOfNumber lists them after O_RDONLY/O_WRONLY/O_RDWR. */
export const openFlagBits = OPEN_FLAG_BITS;

/**
 * An IPv6 address's 16 bytes in memory order from its decoded value: `__u8[16]`, `__be16[8]` or
 * `__u32[4]` (each word decoded little-endian, so its bytes are put back that way), or an
 * `unsigned __int128` (a decimal string, also little-endian in memory).
 */
function ipv6Bytes(v: Value): number[] | undefined {
  if (Array.isArray(v)) {
    const width = v.length === 16 ? 1 : v.length === 8 ? 2 : v.length === 4 ? 4 : 0;
    if (!width || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 2 ** (8 * width)))
      return undefined;
    return (v as number[]).flatMap((x) => Array.from({ length: width }, (_, i) => Math.floor(x / 2 ** (8 * i)) & 255));
  }
  if ((typeof v !== 'string' && typeof v !== 'number') || !/^\d+$/.test(String(v))) return undefined;
  let n = BigInt(v);
  if (n >= 1n << 128n) return undefined;
  const out: number[] = [];
  for (let i = 0; i < 16; i++, n >>= 8n) out.push(Number(n & 255n));
  return out;
}

function isByte(x: Value): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255;
}

/** RFC 5952 text: lower case, the longest run of zero groups as `::`, IPv4-mapped as ::ffff:a.b.c.d. */
function ipv6(b: number[]): string {
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 255 && b[11] === 255) return `::ffff:${b.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function openFlags(n: number): string | undefined {
  if (n < 0) return undefined;
  const mode = n & 3;
  const parts = [mode === 0 ? 'O_RDONLY' : mode === 1 ? 'O_WRONLY' : mode === 2 ? 'O_RDWR' : 'O_ACCMODE'];
  let rest = n & ~3;
  for (const [bit, name] of OPEN_FLAG_BITS) {
    if (rest & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  // `>>> 0`: bit 31 set makes the int32 negative, which would print as 0x-….
  if (rest) parts.push(`0x${(rest >>> 0).toString(16)}`);
  return parts.join('|');
}
