/**
 * The gallery's broken-on-purpose examples (bpf/broken-*) promise, in meta.json, where and why the
 * verifier refuses them. Their logs, captured from this kernel at both log levels, are part of the
 * golden corpus; here each parse is held to the example's promise, and to its current source.
 */
import { describe, expect, it } from 'vitest';
import { ExampleMeta } from '@bpfplay/protocol';
import { parseVerifierLog } from '../../src/load/verifier-log.js';
import { brokenExamples, exampleFile, goldenLogs, readGolden } from './golden.js';

const LEVELS = [
  { suffix: '.log', what: 'log level 1|4 (what the agent asks for)' },
  { suffix: '.level7.log', what: 'log level 1|2|4 (every state)' },
];

describe('broken gallery examples', () => {
  const examples = brokenExamples();

  it('all seven are there', () => {
    expect(examples).toEqual([
      'broken-helper-not-allowed',
      'broken-no-return',
      'broken-null-check',
      'broken-stack-oob',
      'broken-too-large',
      'broken-unbounded-loop',
      'broken-unreleased-ref',
    ]);
  });

  it('every broken-* golden log belongs to an example (no stale captures)', () => {
    const captured = new Set(
      goldenLogs()
        .filter((f) => f.startsWith('broken-'))
        .map((f) => f.replace(/\..*$/, '')),
    );
    expect([...captured].sort()).toEqual(examples);
  });

  for (const name of examples) {
    describe(name, () => {
      const meta = ExampleMeta.parse(JSON.parse(exampleFile(name, 'meta.json')));
      const source = exampleFile(name, `${name}.bpf.c`).split('\n');

      it('is laid out like a gallery example and promises a verifier failure', () => {
        expect(source[0]).toMatch(/^\/\/ SPDX-License-Identifier: /);
        expect(source).toContain('#include "vmlinux.h"');
        expect(source).toContain('#include <bpf/bpf_helpers.h>');
        expect(source).toContain('char LICENSE[] SEC("license") = "Dual BSD/GPL";');
        expect(meta.category).toBe('broken');
        expect(meta.expect.fails?.stage).toBe('verifier');
        expect(meta.expect.fails?.line, 'meta.json must name the line of the mistake').toBeTypeOf('number');
      });

      for (const { suffix, what } of LEVELS) {
        it(`at ${what}: the parse names the promised line and reason`, () => {
          const fails = meta.expect.fails!;
          const parsed = parseVerifierLog(readGolden(`${name}${suffix}`));
          expect(parsed.ok).toBe(false);
          const failure = parsed.failure!;
          expect(failure.reason, `the user would read: ${failure.reason}`).toMatch(new RegExp(fails.reason));
          expect(failure.location).toEqual({ file: `${name}.bpf.c`, line: fails.line });
          // The kernel quotes the line from the object's BTF; if it no longer matches the source,
          // the example changed after the logs were captured: run capture-logs.sh again.
          expect(failure.sourceText).toBe(source[fails.line! - 1]?.trim());
          expect(failure.hint).toBeTruthy();
        });
      }
    });
  }
});
