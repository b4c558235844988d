/**
 * On the real kernel: compile every broken gallery example with clang-19, load it the way the agent
 * does, and hold the fresh verifier log's parse to the example's meta.json. This is what keeps the
 * goldens honest: if a kernel update changes a message or a line, this test says so, and
 * capture-logs.sh records the new logs. Needs root, clang-19, bpftool, libbpf-dev and kernel BTF;
 * capture-logs.sh names whichever is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleMeta } from '@bpfplay/protocol';
import { parseVerifierLog } from '../../src/load/verifier-log.js';
import { brokenExamples, captureScript, exampleFile } from './golden.js';

describe('broken gallery examples on this kernel', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'bpfplay-vlog-'));

  beforeAll(() => {
    const t0 = performance.now();
    try {
      execFileSync('bash', [captureScript, '--examples-only', '--levels', '5', '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 170_000,
      });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`capture-logs.sh failed: ${err.stderr?.toString().trim() || err.message}`, { cause: e });
    }
    console.log(
      `verifier-log live: compiled and loaded ${brokenExamples().length} examples in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }, 180_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  for (const name of brokenExamples()) {
    it(`${name} is refused where and why its meta.json says`, () => {
      const fails = ExampleMeta.parse(JSON.parse(exampleFile(name, 'meta.json'))).expect.fails!;
      const parsed = parseVerifierLog(readFileSync(path.join(out, `${name}.log`), 'utf8'), { failed: true });
      expect(parsed.failure?.reason, parsed.failure?.message).toMatch(new RegExp(fails.reason));
      expect(parsed.failure?.location).toEqual({ file: `${name}.bpf.c`, line: fails.line });
    });
  }
});
