/**
 * The reason table on kernel messages this kernel does not print for root (unprivileged-only
 * checks, older kernels' wording) or that the goldens do not reach. Wording from the kernel's
 * verifier.c; each row: the kernel's line, the start of what the user reads.
 */
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/load/verifier-reasons.js';

const ctx = { insnText: 'call bpf_copy_from_user#148', describeInsn: () => ({}) };

const ROWS: [string, string][] = [
  [
    'invalid read from stack R1 off=-600 size=8',
    'stack access out of bounds: 8 bytes at fp-600 (R1), below the 512-byte stack',
  ],
  [
    'invalid indirect access to stack R1 off=-16 size=32',
    'stack access out of bounds: 32 bytes at fp-16 (R1), 16 bytes past',
  ],
  ['invalid indirect read from stack R2 off -16+4 size 16', 'stack read of bytes that were never written'],
  ['invalid variable-offset write to stack R1', 'stack access out of bounds: an index'],
  ['combined stack size of 3 calls is 544. Too large', 'stack too large: 544 bytes across 3 nested calls'],
  ['back-edge from insn 12 to 5', 'loop not allowed'],
  [
    'unknown func bpf_get_current_task_btf#158',
    'helper bpf_get_current_task_btf() is unknown to this kernel or not allowed',
  ],
  ['helper call might sleep in a non-sleepable prog', 'bpf_copy_from_user() may sleep'],
  ['R1 !read_ok', 'register R1 is read before anything was written'],
  ['BPF_EXIT instruction in main prog would lead to reference leak', 'reference leak'],
  ['R0 unbounded memory access, make sure to bounds check any such access', 'index may be out of bounds'],
  ['At program exit the register R0 has smin=3 smax=3 should have been in [0, 1]', 'return value not allowed'],
  [
    'math between map_value pointer and register with unbounded min value is not allowed',
    'pointer arithmetic with an unbounded value',
  ],
  ['dereference of modified ctx ptr R1 off=8 disallowed', 'access through a modified ctx pointer'],
  ['invalid bpf_context access off=56 size=8', 'invalid read of the program context: 8 bytes at offset 56'],
  [
    'R1 type=map_value_or_null expected=fp',
    'argument 1 of bpf_copy_from_user() has the wrong type: it is a pointer that may be NULL',
  ],
  ['the call stack of 9 frames is too deep !', 'calls nested too deep (9 frames'],
];

describe('verifier reasons', () => {
  for (const [line, reason] of ROWS) {
    it(`"${line}"`, () => {
      const e = explain([line], ctx);
      expect(e.reason.startsWith(reason), `got: ${e.reason}`).toBe(true);
      expect(e.message).toBe(line);
      expect(e.hint).toBeTruthy();
    });
  }

  it('prefers the specific line when the kernel prints two', () => {
    const e = explain(
      [
        'invalid access to map value, value_size=128 off=128 size=8',
        'R0 min value is outside of the allowed memory range',
      ],
      ctx,
    );
    expect(e.reason).toMatch(/^out-of-bounds access to a map value/);
  });

  it("falls back to the kernel's own first line", () => {
    expect(explain(['something new', 'and more'], ctx)).toMatchObject({
      reason: 'the verifier rejected the program: something new',
      message: 'something new',
    });
  });
});
