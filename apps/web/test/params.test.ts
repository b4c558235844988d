import { describe, expect, it } from 'vitest';
import { paramDecls, parseParamInput, type ParamsFrame } from '../src/state/params';

const src = `#include "vmlinux.h"
const volatile pid_t targ_pid = 0;
const volatile bool targ_failed = false;
const volatile unsigned long long min_us = 10000;
const volatile char targ_comm[16] = {};
struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); __type(value, u64); } start SEC(".maps");
`;

/** What the agent's params frame says for `src` (load/params.ts: the .rodata variables, decoded). */
const frame: ParamsFrame = [
  { name: 'targ_pid', type: 'const volatile pid_t', value: 0 },
  { name: 'targ_failed', type: 'const volatile bool', value: false },
  { name: 'min_us', type: 'const volatile unsigned long long', value: 10000 },
  { name: 'targ_comm', type: 'const volatile char[16]', value: '' },
  // Declared in a header the snippet does not have, or by a macro: listed, without a jump link.
  { name: 'from_macro', type: 'const volatile int', value: 3 },
  // A map size the playground sets as the loader would: declared where the map is.
  {
    name: 'map.start.max_entries',
    type: '__u32',
    value: 10240,
    loader: { map: 'start', field: 'max_entries', why: 'hash map start declares no max_entries' },
  },
];

describe('const volatile parameters', () => {
  it("are the agent's params frame, each with its kind and the line that declares it", () => {
    const p = paramDecls(frame, [{ name: 'x.bpf.c', content: src }]);
    expect(p.map((d) => [d.name, d.type, d.compiled, d.kind, d.at?.line])).toEqual([
      ['targ_pid', 'pid_t', 0, 'int', 2],
      ['targ_failed', 'bool', false, 'bool', 3],
      ['min_us', 'unsigned long long', 10000, 'int', 4],
      ['targ_comm', 'char[16]', '', 'string', 5],
      ['from_macro', 'int', 3, 'int', undefined],
      ['map.start.max_entries', '__u32', 10240, 'int', 6],
    ]);
    expect(p.at(-1)!.loader).toBe('hash map start declares no max_entries');
  });

  it('parses typed input and explains bad input', () => {
    const [pid, failed, min] = paramDecls(frame, [{ name: 'x.bpf.c', content: src }]);
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
