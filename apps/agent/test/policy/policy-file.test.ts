import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { applyOperatorConfig, parsePolicyFile, PolicyFileError } from '../../src/policy/policy-file.js';

const parse = (obj: unknown) => parsePolicyFile(JSON.stringify(obj, null, 2), 'ops.json');
const error = (text: string) => {
  try {
    parsePolicyFile(text, 'ops.json');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyFileError);
    return (e as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('operator policy file', () => {
  it('reads the example file shipped next to the agent', () => {
    const path = join(import.meta.dirname, '../../policy.example.json');
    const op = parsePolicyFile(readFileSync(path, 'utf8'), path);
    expect(op.policy.allowedKinds).toContain('tracepoint');
    expect(op.limits.maxRunSeconds).toBeGreaterThan(0);
    expect(op.compile.wallMs).toBeGreaterThan(0);
  });

  it('splits policy, limits and compile limits, and applies them to the config', () => {
    const op = parse({
      $comment: 'workshop 3',
      deniedHelpers: { bpf_probe_read_kernel: 'this workshop only reads user memory' },
      allowedKinds: ['tracepoint', 'raw_tp'],
      uprobeBinaries: ['/usr/bin/bash'],
      limits: { maxRunSeconds: 120, maxSessionsPerToken: 3 },
      compile: { wallMs: 5000, cpuSeconds: 4 },
    });
    const config = defaultConfig();
    applyOperatorConfig(config, op);
    expect(config.policy?.deniedHelpers).toEqual({ bpf_probe_read_kernel: 'this workshop only reads user memory' });
    expect(config.limits.maxRunSeconds).toBe(120);
    expect(config.limits.maxSessionsPerToken).toBe(3);
    expect(config.limits.maxSessions).toBe(256); // untouched default
    expect(config.compileLimits).toEqual({ wallMs: 5000, cpuSeconds: 4 });
    expect(config.uprobeBinaries).toEqual(['/usr/bin/bash']);
  });

  it('names the line and column of a JSON syntax error', () => {
    expect(error('{\n  "limits": { "maxRunSeconds": 10, }\n}')).toMatch(/^policy file ops\.json:2:\d+: not valid JSON/);
  });

  it('refuses unknown keys (a typo would silently keep a default) and lists the known ones', () => {
    const m = error(JSON.stringify({ limits: { maxRunSecond: 10 } }));
    expect(m).toMatch(
      /limits: unknown key "maxRunSecond" \(did you mean "maxRunSeconds"\?\); known keys: maxRunSeconds, /,
    );
    expect(m).toMatch(/maxRunSeconds/);
    expect(error(JSON.stringify({ deniedHelper: {} }))).toMatch(
      /the top level: unknown key "deniedHelper" \(did you mean "deniedHelpers"\?\); known keys: \$comment, deniedHelpers/,
    );
  });

  it('says what a value should be', () => {
    expect(error(JSON.stringify({ limits: { maxRunSeconds: -5 } }))).toMatch(/limits\.maxRunSeconds: must be positive/);
    expect(error(JSON.stringify({ limits: { maxPrograms: 1.5 } }))).toMatch(
      /limits\.maxPrograms: must be a whole number/,
    );
    expect(error(JSON.stringify({ compile: { wallMs: '30s' } }))).toMatch(/compile\.wallMs: must be a number/);
    expect(error(JSON.stringify({ allowedKinds: ['tracepoint', 'kprobes'] }))).toMatch(
      /allowedKinds\.1: must be one of: tracepoint/,
    );
    expect(error(JSON.stringify({ uprobeBinaries: ['bash'] }))).toMatch(/uprobeBinaries\.0: must be an absolute path/);
    expect(error(JSON.stringify({ deniedHelpers: { bpf_x: '' } }))).toMatch(/deniedHelpers\.bpf_x: give the sentence/);
  });

  it('checks limits against each other after merging with the defaults', () => {
    expect(error(JSON.stringify({ limits: { defaultRunSeconds: 7200 } }))).toMatch(
      /defaultRunSeconds \(7200\) is above limits\.maxRunSeconds \(3600\)/,
    );
    expect(error(JSON.stringify({ limits: { maxSessionsPerToken: 500 } }))).toMatch(
      /maxSessionsPerToken \(500\) is above limits\.maxSessions/,
    );
  });
});
