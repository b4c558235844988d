/**
 * Golden tests: real verifier logs captured from this kernel (capture-logs.sh) and the parse we
 * expect of each. `npx vitest run -u test/load` rewrites the .json files; review the diff.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerifierFailure, VerifierStats } from '@bpfplay/protocol';
import { parseVerifierLog } from '../../src/load/verifier-log.js';
import { goldenDir, goldenLogs, readGolden } from './golden.js';
import { asJson } from '../compile/golden-cases.js';

describe('verifier log goldens', () => {
  const logs = goldenLogs();

  it('the corpus is there', () => {
    expect(logs.length, `no *.log in ${goldenDir}: run test/load/capture-logs.sh as root`).toBeGreaterThan(10);
  });

  for (const file of logs) {
    it(`parses ${file} as recorded`, async () => {
      const parsed = parseVerifierLog(readGolden(file));
      if (parsed.stats) VerifierStats.parse(parsed.stats);
      if (parsed.failure) VerifierFailure.parse(parsed.failure);
      expect(parsed.ok, 'ok-* cases loaded; every other case was refused').toBe(file.startsWith('ok-'));

      await expect(asJson(parsed)).toMatchFileSnapshot(path.join(goldenDir, file.replace(/\.log$/, '.json')));
    });
  }
});

describe('a log whose head the kernel dropped', () => {
  // The kernel keeps the tail when the buffer is too small, starting mid-line. Whatever is left of
  // the log after the failing instruction must give the same answer; the location may only vanish
  // (its annotation was cut), never change.
  for (const file of goldenLogs().filter((f) => !f.startsWith('ok-'))) {
    it(`${file}: same failure from any tail that still holds the failing instruction`, () => {
      const log = readGolden(file);
      const full = parseVerifierLog(log).failure!;
      const insnAt = log.lastIndexOf(`\n${full.insn}: (`) + 1;
      for (const fraction of [0.1, 0.35, 0.6, 0.85, 0.97]) {
        const cut = Math.floor(insnAt * fraction) + 3; // +3: start inside a line, as the kernel does
        if (cut >= insnAt) continue;
        const tail = parseVerifierLog(log.slice(cut)).failure!;
        // The kind of mistake stays; details drawn from the head (where a leaked reference was
        // taken) may go with it.
        expect(tail.reason.split(':')[0]).toBe(full.reason.split(':')[0]);
        expect(tail.message).toBe(full.message);
        expect(tail.insn).toBe(full.insn);
        expect(tail.insnText).toBe(full.insnText);
        if (tail.location !== undefined) expect(tail.location).toEqual(full.location);
      }
    });
  }
});
