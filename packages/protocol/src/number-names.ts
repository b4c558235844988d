import type { Value } from './common';
import { ERRNO_NAMES, IPPROTO_NAMES, OPEN_FLAG_BITS, SIGNAL_NAMES, SYSCALL_NAMES } from './number-names-data';

/**
 * Names for the numbers records and maps are full of: errno → ENOENT, syscall 257 → openat, a
 * __be32 address → 10.0.0.1, flags 524288 → O_RDONLY|O_CLOEXEC. Which number a field holds is
 * read from its name and C type, the way Inspektor Gadget's formatters do; the raw value stays
 * available (clients show it on hover). Pure tables and functions: the same in the agent, the
 * CLI and the browser.
 */
export type NumberKind =
  | 'errno'
  /** A return value: -errno when negative, a count or fd otherwise. */
  | 'ret'
  | 'syscall'
  | 'signal'
  | 'ipproto'
  | 'open-flags'
  | 'af'
  /** IPv4 address in network byte order (__be32, or 4 bytes). */
  | 'ipv4'
  | 'ipv6'
  /** A port in network byte order (__be16). */
  | 'port-be';

export interface FieldShape {
  name: string;
  /** The C type as the schema names it: `int`, `__be32`, `__u8[4]`, `unsigned int`. */
  type: string;
}

const ADDR = /^(s|d|src|dst|l|r|local|remote|peer|client|server)?_?(ip|addr|address)(_?v?[46])?$/;
const FILE_NAME = /^(fname|filename|file|path|pathname)$/;
const INT32 = /^(__u32|u32|unsigned int|uint32_t|__be32|int|__s32|s32|int32_t)$/;

/**
 * What a field's number means, or undefined for a plain number. `siblings` are the other field
 * names of the record: a `flags` beside a `fname` is open()'s.
 */
export function numberKindOf(field: FieldShape, siblings: readonly string[] = []): NumberKind | undefined {
  const name = field.name.toLowerCase();
  const type = field.type.trim();
  if (/\b__be32\b/.test(type) && !type.includes('[')) return 'ipv4';
  if (/\b__be16\b/.test(type) && !type.includes('[')) return 'port-be';
  if (ADDR.test(name)) {
    if (INT32.test(type) || /\[4\]$/.test(type)) return 'ipv4';
    if (/\[16\]$/.test(type) || /__int128/.test(type)) return 'ipv6';
  }
  if (/^(errno|err|error)$/.test(name)) return 'errno';
  if (/^(ret|retval|rc|return_value)$/.test(name) && !/^(u|__u|unsigned)/.test(type)) return 'ret';
  if (/^(syscall(_?(id|nr|no))?|sys_?nr|sysno|nr_syscall)$/.test(name)) return 'syscall';
  if (/^(sig|signal|signo|signum|sig_?num)$/.test(name)) return 'signal';
  if (/^(proto|protocol|ip_?proto|l4_?proto|ipproto)$/.test(name)) return 'ipproto';
  if (/^(o_?flags|open_?flags)$/.test(name) || (name === 'flags' && siblings.some((s) => FILE_NAME.test(s))))
    return 'open-flags';
  if (/^(family|af|sa_family|sk_family)$/.test(name)) return 'af';
  return undefined;
}

const AF_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'AF_UNSPEC'],
  [1, 'AF_UNIX'],
  [2, 'AF_INET'],
  [10, 'AF_INET6'],
  [16, 'AF_NETLINK'],
  [17, 'AF_PACKET'],
]);

/** The value's name, or undefined when it has none (the raw value is then shown as it is). */
export function nameOfNumber(kind: NumberKind, v: Value): string | undefined {
  if (kind === 'ipv4' && Array.isArray(v)) return v.length === 4 && v.every(isByte) ? v.join('.') : undefined;
  if (kind === 'ipv6' && Array.isArray(v)) return v.length === 16 && v.every(isByte) ? ipv6(v as number[]) : undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
  if (n === undefined || !Number.isSafeInteger(n)) return undefined;
  switch (kind) {
    case 'errno': {
      const name = ERRNO_NAMES.get(Math.abs(n));
      return name === undefined ? undefined : n < 0 ? `-${name}` : name;
    }
    case 'ret':
      return n < 0 && ERRNO_NAMES.has(-n) ? `-${ERRNO_NAMES.get(-n)}` : undefined;
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
      return n >= 0 && n <= 0xffffffff ? [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.') : undefined;
    case 'port-be':
      return n >= 0 && n <= 0xffff ? String(((n & 0xff) << 8) | (n >>> 8)) : undefined;
    case 'ipv6':
      return undefined;
  }
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
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}
