import { bpf, errno } from './native.js';

/** Names for the errnos BPF calls actually return, so messages read `EPERM` and not `1`. */
const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  7: 'E2BIG',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  22: 'EINVAL',
  24: 'EMFILE',
  28: 'ENOSPC',
  95: 'EOPNOTSUPP',
  524: 'ENOTSUPP',
  4003: 'LIBBPF_ERRNO__FORMAT',
  4007: 'LIBBPF_ERRNO__LOAD',
  4008: 'LIBBPF_ERRNO__VERIFY',
};

export function errnoName(code: number): string {
  return ERRNO_NAMES[Math.abs(code)] ?? `errno ${Math.abs(code)}`;
}

/** libbpf's own text for an error code (it knows its LIBBPF_ERRNO__* values too). */
export function describeErrno(code: number): string {
  const buf = Buffer.alloc(256);
  bpf.strerror(Math.abs(code), buf, buf.length);
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

/** A failed libbpf call: `op` names it, `errno` is positive. */
export class LibbpfError extends Error {
  constructor(
    readonly op: string,
    readonly errno: number,
    detail?: string,
  ) {
    super(`${op} failed: ${errnoName(errno)} (${describeErrno(errno)})${detail ? `: ${detail}` : ''}`);
    this.name = 'LibbpfError';
  }
}

/** libbpf 1.x returns NULL and sets errno for pointer results. */
export function checkPtr(op: string, p: bigint | null, detail?: string): bigint {
  if (p === null || p === 0n) throw new LibbpfError(op, errno() || 22, detail);
  return p;
}

/** libbpf 1.x returns -errno for int results. */
export function checkInt(op: string, ret: number, detail?: string): number {
  if (ret < 0) throw new LibbpfError(op, -ret, detail);
  return ret;
}
