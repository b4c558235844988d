/**
 * Kernel stack symbolization: what a cpu profile's frames say. The parser is held to a small
 * kallsyms excerpt in this kernel's format (duplicates, weak and module symbols, data symbols,
 * hidden addresses), then to the real /proc/kallsyms of this machine.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelSymbols, isKernelAddress, kernelSymbols, symbolizeStack } from '../../src/stream/ksyms.js';

const EXCERPT = [
  'ffffffff81000000 T srso_alias_untrain_ret',
  'ffffffff81000000 T _stext',
  'ffffffff812077c0 W abort',
  'ffffffff8225a650 T do_syscall_64',
  'ffffffff82266810 T schedule',
  'ffffffff83b24748 R __start_runtime_ptr_USER_PTR_MAX',
  'ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]',
  'ffffffffc0a00000 t bpf_prog_6deef7357e7b4530_handle_execve\t[bpf]',
  '',
].join('\n');

function stack(...ips: bigint[]): Uint8Array {
  const b = Buffer.alloc(8 * 8);
  ips.forEach((ip, i) => b.writeBigUInt64LE(ip, i * 8));
  return b;
}

describe('KernelSymbols.parse', () => {
  const syms = KernelSymbols.parse(EXCERPT);

  it('keeps text symbols only (data symbols would name addresses no stack holds)', () => {
    expect(syms.size).toBe(6); // two names share the first address
    expect(syms.lookup(0xffffffff83b24748n)?.name).not.toBe('__start_runtime_ptr_USER_PTR_MAX');
  });

  it('names an address inside a function as func+0xoff', () => {
    expect(syms.format(0xffffffff8225a650n + 0x82n)).toBe('do_syscall_64+0x82');
    expect(syms.format(0xffffffff82266810n)).toBe('schedule+0x0');
    expect(syms.format(0xffffffff812077c5n)).toBe('abort+0x5');
  });

  it('of several names at one address keeps the first kallsyms lists', () => {
    expect(syms.lookup(0xffffffff81000010n)).toEqual({ name: 'srso_alias_untrain_ret', offset: 0x10 });
  });

  it('tells module and BPF program symbols by their [module]', () => {
    expect(syms.format(0xffffffffc0a00040n)).toBe('bpf_prog_6deef7357e7b4530_handle_execve+0x40 [bpf]');
    expect(syms.lookup(0xffffffffc0201001n)).toEqual({
      name: 'ftrace_trampoline',
      module: '__builtin__ftrace',
      offset: 1,
    });
  });

  it('leaves an address below the first symbol, or far past the nearest one, in hex', () => {
    expect(syms.format(0xffffffff80000000n)).toBe('0xffffffff80000000');
    expect(syms.format(0xffffffffc0a00000n + 0x200000n)).toBe('0xffffffffc0c00000');
  });

  it('says why there are no symbols when kptr_restrict hides every address', () => {
    const hidden = KernelSymbols.parse('0000000000000000 T _stext\n0000000000000000 T do_syscall_64\n');
    expect(hidden.size).toBe(0);
    expect(hidden.unavailable).toMatch(/kptr_restrict/);
    expect(hidden.format(0xffffffff8225a650n)).toBe('0xffffffff8225a650');
  });

  it('says why when kallsyms cannot be read', () => {
    const missing = KernelSymbols.fromFile('/nonexistent/kallsyms');
    expect(missing.unavailable).toMatch(/cannot read \/nonexistent\/kallsyms/);
  });
});

describe('symbolizeStack', () => {
  const syms = KernelSymbols.parse(EXCERPT);

  it('turns kernel frames into names, stops at the first zero, and leaves user frames in hex', () => {
    const frames = symbolizeStack(stack(0xffffffff82266820n, 0xffffffff8225a6d2n, 0x7f3a12345678n), syms);
    expect(frames).toEqual(['schedule+0x10', 'do_syscall_64+0x82', '0x7f3a12345678']);
  });

  it('tells kernel from user addresses by the top bit', () => {
    expect(isKernelAddress(0xffffffff81000000n)).toBe(true);
    expect(isKernelAddress(0x00007fffffffe000n)).toBe(false);
  });
});

describe('this kernel', () => {
  it('reads /proc/kallsyms and finds do_syscall_64 at the address kallsyms gives it', () => {
    const line = readFileSync('/proc/kallsyms', 'utf8')
      .split('\n')
      .find((l) => / [tT] do_syscall_64$/.test(l));
    if (!line) throw new Error('/proc/kallsyms has no do_syscall_64: is this an x86-64 kernel with kallsyms?');
    const addr = BigInt(`0x${line.split(' ')[0]}`);
    const syms = kernelSymbols();
    expect(syms.unavailable, 'run as root with kernel.kptr_restrict < 2').toBeUndefined();
    expect(syms.size).toBeGreaterThan(10_000);
    expect(syms.format(addr + 0x10n)).toBe('do_syscall_64+0x10');
  });
});
