import { describe, expect, it } from 'vitest';
import { findParams, parseParamInput } from '../src/state/params';

const src = `#include "vmlinux.h"
const volatile pid_t targ_pid = 0;
const volatile bool targ_failed = false;
const volatile unsigned long long min_us = 10000;
const volatile char targ_comm[16] = {};
static const volatile __u32 nr = 4;
const volatile int table[4];
volatile int not_a_param;
`;

describe('const volatile parameters', () => {
  it('finds one-per-line declarations with type, initializer and line', () => {
    const p = findParams([{ name: 'x.bpf.c', content: src }]);
    expect(p.map((d) => [d.name, d.type, d.init, d.line, d.kind])).toEqual([
      ['targ_pid', 'pid_t', '0', 2, 'int'],
      ['targ_failed', 'bool', 'false', 3, 'bool'],
      ['min_us', 'unsigned long long', '10000', 4, 'int'],
      ['targ_comm', 'char[]', '{}', 5, 'string'],
      ['nr', '__u32', '4', 6, 'int'],
    ]);
  });

  it('parses typed input and explains bad input', () => {
    const [pid, failed, min] = findParams([{ name: 'x.bpf.c', content: src }]);
    expect(parseParamInput(pid!, ' 42 ')).toEqual({ ok: true, value: 42 });
    expect(parseParamInput(pid!, '0x10')).toEqual({ ok: true, value: 16 });
    expect(parseParamInput(pid!, 'abc')).toEqual({ ok: false, error: 'targ_pid is pid_t: enter a whole number' });
    expect(parseParamInput(failed!, 'true')).toEqual({ ok: true, value: true });
    expect(parseParamInput(min!, '-1')).toEqual({
      ok: false,
      error: 'min_us is unsigned long long: no negative values',
    });
    expect(parseParamInput(min!, '18446744073709551615')).toEqual({ ok: true, value: '18446744073709551615' });
  });
});
