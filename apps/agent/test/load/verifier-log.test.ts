/**
 * parseVerifierLog on the shapes of log the agent can be handed besides the goldens: the level-4
 * statistics of a successful load, a failure without a trace, logs without line info, buffers with
 * trailing NULs, errors we have no words for, and logs of tens of MB.
 */
import { describe, expect, it } from 'vitest';
import { parseVerifierLog } from '../../src/load/verifier-log.js';
import { readGolden } from './golden.js';

const STATS = [
  'verification time 62 usec',
  'stack depth 0+24',
  'processed 23 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 3 mark_read 1',
].join('\n');

describe('parseVerifierLog', () => {
  it('reads the statistics of a successful load (log level 4)', () => {
    expect(parseVerifierLog(`${STATS}\n`)).toEqual({
      ok: true,
      stats: {
        insnsProcessed: 23,
        insnLimit: 1000000,
        totalStates: 2,
        peakStates: 3,
        markRead: 1,
        verificationTimeUs: 62,
        stackDepth: '0+24',
      },
    });
  });

  it('takes an empty log as success, unless the caller knows the load failed', () => {
    expect(parseVerifierLog('')).toEqual({ ok: true });
    const r = parseVerifierLog('', { failed: true });
    expect(r.ok).toBe(false);
    expect(r.failure?.reason).toBe('the verifier rejected the program without saying why');
  });

  it('explains a failure logged at level 4 alone (no trace, so no instruction or line)', () => {
    const r = parseVerifierLog(`R0 invalid mem access 'map_value_or_null'\n${STATS}`);
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({
      reason: 'pointer may be NULL: the result of bpf_map_lookup_elem() is used without a NULL check',
      message: "R0 invalid mem access 'map_value_or_null'",
    });
    expect(r.failure?.insn).toBeUndefined();
    expect(r.failure?.location).toBeUndefined();
    expect(r.stats?.insnsProcessed).toBe(23);
  });

  it('ignores the NULs and blank lines a fixed-size C buffer leaves at the end', () => {
    const log = readGolden('broken-null-check.log');
    const padded = `${log.trimEnd()}\n\n\0\0\0\0`;
    expect(parseVerifierLog(padded)).toEqual(parseVerifierLog(log));
  });

  it('still finds instruction and reason in an object built without -g (no line info)', () => {
    const log = readGolden('broken-null-check.log')
      .split('\n')
      .filter((l) => !l.startsWith('; '))
      .join('\n');
    const f = parseVerifierLog(log).failure!;
    expect(f.insn).toBe(19);
    expect(f.insnText).toBe('lock *(u64 *)(r0 +0) += r7');
    expect(f.location).toBeUndefined();
    expect(f.reason).toMatch(/may be NULL/);
  });

  it('quotes the kernel for an error it has no words for', () => {
    const log = ['; x = 1; @ a.bpf.c:7', '3: (b7) r0 = 1', 'some brand new verifier complaint', STATS].join('\n');
    const f = parseVerifierLog(log).failure!;
    expect(f).toMatchObject({
      insn: 3,
      insnText: 'r0 = 1',
      location: { file: 'a.bpf.c', line: 7 },
      sourceText: 'x = 1;',
      reason: 'the verifier rejected the program: some brand new verifier complaint',
      message: 'some brand new verifier complaint',
    });
  });

  it('believes the caller over the log', () => {
    const log = readGolden('ok-count-execs.level7.log');
    expect(parseVerifierLog(log, { failed: true }).ok).toBe(false);
    expect(parseVerifierLog(readGolden('broken-null-check.log'), { failed: false })).toMatchObject({ ok: true });
  });

  it('does not mistake the head-of-log notes for the error', () => {
    // A void program gets "Global function ... doesn't return scalar" first; the error is R0.
    const f = parseVerifierLog(readGolden('broken-no-return.log')).failure!;
    expect(f.message).toBe('R0 !read_ok');
  });

  it('names the helper and line where a leaked reference was taken', () => {
    const f = parseVerifierLog(readGolden('broken-unreleased-ref.log')).failure!;
    expect(f.reason).toBe(
      'reference leak: what bpf_ringbuf_reserve() returned (line 41) is not released on every path out of the program',
    );
    expect(f.hint).toMatch(/bpf_ringbuf_submit\(\) or bpf_ringbuf_discard\(\)/);
  });
});

describe('logs of tens of MB', () => {
  // The agent's retry buffer is up to 64 MB; the 1M-instruction case writes ~85 MB at level 1.
  // Build such a log from the real tail, repeated, and time the parse (printed, not asserted).
  const tail = readGolden('broken-too-large.log');
  const body = tail.slice(tail.indexOf('\n') + 1, tail.lastIndexOf('; for ('));
  const end = tail.slice(tail.lastIndexOf('; for ('));
  const repeat = Math.ceil((64 << 20) / body.length);

  for (const withLineInfo of [true, false]) {
    it(`parses a 64 MB log ${withLineInfo ? 'with' : 'without'} line info`, () => {
      const strip = (s: string) => (withLineInfo ? s : s.replace(/^; .*\n/gm, ''));
      // Through a Buffer, as the agent gets it: a flat string, not a rope of repeats.
      const log = Buffer.from(strip(body).repeat(repeat) + strip(end)).toString('utf8');
      const t0 = performance.now();
      const r = parseVerifierLog(log);
      const ms = performance.now() - t0;
      console.log(
        `verifier-log: ${(log.length / 2 ** 20).toFixed(0)} MB, line info ${withLineInfo}: ${ms.toFixed(1)} ms`,
      );
      expect(r.failure?.message).toBe('BPF program is too large. Processed 1000001 insn');
      expect(r.failure?.insn).toBe(16);
      if (withLineInfo) expect(r.failure?.location?.line).toBe(46);
      else expect(r.failure?.location).toBeUndefined();
    });
  }
});
