import { describe, expect, it } from 'vitest';
import { nameOfNumber } from '../src/number-names';

/**
 * Naming a value of a known kind. Which fields are of which kind is chosen from BTF when the layout
 * is built; that choice has its own golden test (packages/btf/test/formatters.test.ts).
 */
describe('names for numbers', () => {
  it('errno: -errno in a return value, errno either way in an errno field; a fd stays a number', () => {
    expect(nameOfNumber('ret-errno', -2)).toBe('-ENOENT');
    expect(nameOfNumber('ret-errno', 3)).toBeUndefined();
    expect(nameOfNumber('errno', 13)).toBe('EACCES');
    expect(nameOfNumber('errno', -13)).toBe('-EACCES');
    expect(nameOfNumber('errno', 9999)).toBeUndefined();
    // getaddrinfo's -2 is not ENOENT.
    expect(nameOfNumber('eai', -2)).toBe('EAI_NONAME');
    expect(nameOfNumber('eai', 0)).toBeUndefined();
  });

  it('open flags: the access mode, then each bit, then what no name covers', () => {
    expect(nameOfNumber('open-flags', 524288)).toBe('O_RDONLY|O_CLOEXEC');
    expect(nameOfNumber('open-flags', 0o101101)).toBe('O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE');
    expect(nameOfNumber('open-flags', 0o100000000 | 2)).toBe('O_RDWR|0x1000000');
  });

  it('syscalls, signals, IP protocols and address families', () => {
    expect(nameOfNumber('syscall', 257)).toBe('openat');
    expect(nameOfNumber('syscall', 59)).toBe('execve');
    expect(nameOfNumber('syscall', 100000)).toBeUndefined();
    expect(nameOfNumber('signal', 9)).toBe('SIGKILL');
    expect(nameOfNumber('signal', 34)).toBe('SIGRTMIN+2');
    expect(nameOfNumber('signal', 0)).toBeUndefined();
    expect(nameOfNumber('ipproto', 6)).toBe('TCP');
    expect(nameOfNumber('ipproto', 17)).toBe('UDP');
    expect(nameOfNumber('af', 10)).toBe('AF_INET6');
  });

  it('addresses and ports as stored in memory (network byte order, read little-endian)', () => {
    // 10.0.0.1 as a __be32 read on a little-endian machine.
    expect(nameOfNumber('ipv4', 0x0100000a)).toBe('10.0.0.1');
    expect(nameOfNumber('ipv4', [192, 168, 1, 20])).toBe('192.168.1.20');
    // The same four bytes in a signed int.
    expect(nameOfNumber('ipv4', 0xc0a8010a | 0)).toBe('10.1.168.192');
    const lo = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(nameOfNumber('ipv6', lo)).toBe('::1');
    expect(nameOfNumber('ipv6', [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1');
    expect(nameOfNumber('ipv6', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 2])).toBe('::ffff:10.0.0.2');
    // __u32[4] words and an unsigned __int128 hold the same bytes, read little-endian.
    expect(nameOfNumber('ipv6', [0xb80d0120, 0, 0, 0x01000000])).toBe('2001:db8::1');
    expect(nameOfNumber('ipv6', (1n << 120n).toString())).toBe('::1');
    // dport 443 as a __be16: 0xbb01 on a little-endian machine; the readable form is a number.
    expect(nameOfNumber('port-be', 0xbb01)).toBe(443);
  });

  it('leaves values it cannot read as they are', () => {
    expect(nameOfNumber('signal', 'x')).toBeUndefined();
    expect(nameOfNumber('ipv4', [1, 2, 3])).toBeUndefined();
    expect(nameOfNumber('ipv6', [1, 2, 3])).toBeUndefined();
    expect(nameOfNumber('port-be', -1)).toBeUndefined();
  });
});
