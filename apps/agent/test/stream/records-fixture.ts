import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openObjectSpec, type Btf } from '@bpfplay/btf';

/**
 * The BTF of fixtures/records.bpf.c compiled by the real clang-19 into `work` (the calling test's
 * temp dir): the record structs both the layout and the JSON-writer tests decode.
 */
export function recordsFixtureBtf(work: string): Btf {
  const out = join(work, 'records.bpf.o');
  execFileSync('/usr/bin/clang-19', [
    '-g',
    '-O2',
    '-target',
    'bpf',
    '-c',
    join(import.meta.dirname, 'fixtures/records.bpf.c'),
    '-o',
    out,
  ]);
  const btf = openObjectSpec(readFileSync(out), 'records.bpf.o').btf;
  if (!btf) throw new Error('clang produced no BTF for fixtures/records.bpf.c');
  return btf;
}
