import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nameOfNumber, type LayoutNode, type NumberKind } from '@bpfplay/protocol';
import { emitNamed, namesCode } from '../../src/export/c-names.js';

/**
 * The exported loader names numbers as the playground does: the generated C, built with the real
 * gcc, prints every kind for a spread of values, and each line must equal nameOfNumber's answer
 * (or the plain value where the playground has no name).
 */
const work = mkdtempSync(join(tmpdir(), 'bpfplay-c-names-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PRINT_H = join(__dirname, '../../export-c/bpfplay_print.h');

const INTEGER_KINDS: NumberKind[] = [
  'errno',
  'ret-errno',
  'eai',
  'syscall',
  'signal',
  'ipproto',
  'af',
  'open-flags',
  'ipv4',
  'port-be',
];
const VALUES = [
  0, 1, 2, 3, 6, 10, 17, 22, 28, 31, 32, 40, 64, 65, 110, 255, 257, 262, 435, 4095, 4096, 0x80000, 0x80041, 0x10000000,
  0x7f000001, 0x0100007f, 0xffffffff, -1, -2, -9, -13, -100, -105, -4095, -5000,
];

/** The C program: one line per (kind, value) through emitNamed on a signed 8-byte field. */
function program(): string {
  const node = (fmt: string): LayoutNode => ({ k: 'int', off: 0, size: 8, signed: true, fmt });
  let body = '';
  for (const kind of INTEGER_KINDS)
    for (const v of VALUES) {
      const plain = `\t\tput_int(b, p, 8, true, false);\n`;
      body += `\t{ int64_t x = ${v}LL; const unsigned char *p = (const unsigned char *)&x; sb_reset(b);\n`;
      body += emitNamed(node(kind), 'p', false, '\t', plain);
      body += `\tprintf("%s\\n", b->s); }\n`;
    }
  const v6 = [
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1],
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
    [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
  ];
  for (const bytes of v6) {
    body += `\t{ static const unsigned char p[16] = { ${bytes.join(', ')} }; sb_reset(b);\n`;
    body += emitNamed({ k: 'int', off: 0, size: 16, signed: false, fmt: 'ipv6' }, 'p', false, '\t', '');
    body += `\tprintf("%s\\n", b->s); }\n`;
  }
  return `#include "${PRINT_H}"
${namesCode(new Set([...INTEGER_KINDS, 'ipv6']))}
int main(void)
{
	struct sbuf cell = { 0 }, *b = &cell;
	sb_printf(b, "");
${body}	return 0;
}
`;
}

describe('names for numbers in the exported loader (c-names.ts)', () => {
  it('prints what nameOfNumber says, for every kind, or the plain value where it says nothing', () => {
    const c = join(work, 'names.c');
    writeFileSync(c, program());
    execFileSync('gcc', ['-Wall', '-Werror', '-Wno-unused-function', '-o', join(work, 'names'), c]);
    const lines = execFileSync(join(work, 'names'), { encoding: 'utf8' }).split('\n');
    const expected: string[] = [];
    for (const kind of INTEGER_KINDS) for (const v of VALUES) expected.push(String(nameOfNumber(kind, v) ?? v));
    for (const bytes of [
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
      [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
    ])
      expected.push(String(nameOfNumber('ipv6', bytes)));
    expect(lines.slice(0, expected.length)).toEqual(expected);
    // Some of those are names indeed, not numbers printed twice.
    expect(lines).toContain('-ENOENT');
    expect(lines).toContain('O_RDONLY|O_CLOEXEC');
    expect(lines).toContain('openat');
    expect(lines).toContain('127.0.0.1');
    expect(lines).toContain('2001:db8::1:0:0:1');
  });
});
