import { describe, expect, it } from 'vitest';
import { nameOfNumber, numberKindOf, type FieldShape } from '../src/number-names';

const kind = (name: string, type: string, siblings: string[] = []) => numberKindOf({ name, type }, siblings);
const named = (f: FieldShape, v: Parameters<typeof nameOfNumber>[1], siblings: string[] = []) => {
  const k = numberKindOf(f, siblings);
  return k === undefined ? undefined : nameOfNumber(k, v);
};

describe('names for numbers', () => {
  it('opensnoop: ret -2 is -ENOENT, flags 524288 beside fname is O_RDONLY|O_CLOEXEC, a fd stays a number', () => {
    const fields = ['pid', 'uid', 'ret', 'flags', 'comm', 'fname'];
    expect(named({ name: 'ret', type: 'int' }, -2, fields)).toBe('-ENOENT');
    expect(named({ name: 'ret', type: 'int' }, 3, fields)).toBeUndefined();
    expect(named({ name: 'flags', type: 'int' }, 524288, fields)).toBe('O_RDONLY|O_CLOEXEC');
    expect(named({ name: 'flags', type: 'int' }, 0o101101, fields)).toBe('O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE');
    // Without a file name beside it, `flags` is anybody's flags.
    expect(kind('flags', 'int', ['pid'])).toBeUndefined();
  });

  it('errno, syscalls, signals, IP protocols and address families by field name', () => {
    expect(named({ name: 'errno', type: 'int' }, 13)).toBe('EACCES');
    expect(named({ name: 'syscall_id', type: '__u32' }, 257)).toBe('openat');
    expect(named({ name: 'syscall_id', type: '__u32' }, 59)).toBe('execve');
    expect(named({ name: 'sig', type: 'int' }, 9)).toBe('SIGKILL');
    expect(named({ name: 'sig', type: 'int' }, 34)).toBe('SIGRTMIN+2');
    expect(named({ name: 'proto', type: '__u8' }, 6)).toBe('TCP');
    expect(named({ name: 'protocol', type: '__u8' }, 17)).toBe('UDP');
    expect(named({ name: 'family', type: '__u16' }, 10)).toBe('AF_INET6');
    expect(named({ name: 'pid', type: '__u32' }, 1)).toBeUndefined();
  });

  it('addresses and ports in network byte order', () => {
    // 10.0.0.1 as a __be32 read on a little-endian machine.
    expect(named({ name: 'saddr', type: '__be32' }, 0x0100000a)).toBe('10.0.0.1');
    expect(named({ name: 'daddr_v4', type: '__u32' }, 0x0100007f)).toBe('127.0.0.1');
    expect(named({ name: 'saddr', type: '__u8[4]' }, [192, 168, 1, 20])).toBe('192.168.1.20');
    expect(named({ name: 'daddr', type: '__u8[16]' }, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(
      named({ name: 'saddr_v6', type: '__u8[16]' }, [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    ).toBe('2001:db8::1');
    expect(named({ name: 'daddr', type: '__u8[16]' }, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 2])).toBe(
      '::ffff:10.0.0.2',
    );
    // dport 443 as a __be16: 0xbb01 on a little-endian machine.
    expect(named({ name: 'dport', type: '__be16' }, 0xbb01)).toBe('443');
    // A host-order port is already right: nothing to rename.
    expect(kind('dport', '__u16')).toBeUndefined();
  });

  it('leaves numbers it has no name for as they are', () => {
    expect(named({ name: 'errno', type: 'int' }, 9999)).toBeUndefined();
    expect(named({ name: 'syscall_id', type: '__u32' }, 100000)).toBeUndefined();
    expect(named({ name: 'sig', type: 'int' }, 'x')).toBeUndefined();
  });
});
