import { describe, expect, it } from 'vitest';
import { useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import {
  head,
  compileError,
  execProbe,
  forbiddenHelper,
  kprobeAndTracepoint,
  kprobeOnly,
  uprobeOn,
  verifierError,
} from './programs.js';

const lineOf = (src: string, text: string) => src.split('\n').findIndex((l) => l.includes(text)) + 1;

const agent = useSharedAgent();

describe('a run through the CLI', () => {
  it('streams BTF-decoded ring buffer events and leaves nothing in the kernel', async () => {
    const name = uniqueName('t_exec');
    const r = await runCli(
      writeSnippet({ 'exec.bpf.c': execProbe(name) }),
      ['--duration', '2', '--trigger', 'for i in 1 2 3; do /bin/true; done'],
      agent,
    );
    expect(r.code, r.stderr).toBe(0);
    const records = ofType(r.messages, 'events').flatMap((e) => e.records);
    // At sys_enter_execve the task still has its parent's name: the trigger's shell.
    expect(records.some((x) => (x.value as { comm?: string }).comm === 'sh')).toBe(true);
    const schema = ofType(r.messages, 'schema')[0];
    expect(schema?.fields.map((f) => f.name)).toEqual(['pid', 'comm']);
    expect(ofType(r.messages, 'stopped')[0]?.reason).toBe('timeout');
    expect(await waitNoPrograms(name)).toEqual([]);
  });

  it('reports a compile error with file and line, and exits non-zero', async () => {
    const r = await runCli(writeSnippet({ 'broken.bpf.c': compileError }), [], agent);
    expect(r.code).toBe(1);
    const compiled = ofType(r.messages, 'compiled')[0]!;
    expect(compiled.ok).toBe(false);
    const err = compiled.diagnostics.find((d) => d.severity === 'error');
    expect(err).toMatchObject({ file: 'broken.bpf.c', line: lineOf(compileError, 'undeclared_thing') });
    expect(err?.message).toMatch(/undeclared_thing/);
    expect(ofType(r.messages, 'stopped')[0]?.reason).toBe('compile-error');
  });

  it('reports a verifier rejection with the source line and a plain reason', async () => {
    const name = uniqueName('t_verif');
    const src = verifierError(name);
    const r = await runCli(writeSnippet({ 'nullcheck.bpf.c': src }), [], agent);
    expect(r.code).toBe(1);
    const v = ofType(r.messages, 'verifier').find((m) => !m.ok)!;
    expect(v.program).toBe(name);
    expect(v.failure?.location?.line).toBe(lineOf(src, 'return *v'));
    expect(v.failure?.reason).toMatch(/NULL/);
    expect(v.log).toMatch(/invalid mem access/);
    expect(ofType(r.messages, 'stopped')[0]?.reason).toBe('verifier');
    expect(await waitNoPrograms(name)).toEqual([]);
  });

  it('refuses a forbidden helper before load, naming the helper and the line', async () => {
    const name = uniqueName('t_write');
    const src = forbiddenHelper(name);
    const r = await runCli(writeSnippet({ 'write.bpf.c': src }), [], agent);
    expect(r.code).toBe(1);
    const refused = ofType(r.messages, 'refused')[0]!;
    expect(refused.violations[0]).toMatchObject({
      rule: 'helper-denied',
      helper: 'bpf_probe_write_user',
      location: { file: 'write.bpf.c', line: lineOf(src, 'bpf_probe_write_user') },
    });
    expect(ofType(r.messages, 'loaded')).toEqual([]);
    expect(ofType(r.messages, 'stopped')[0]?.reason).toBe('refused');
  });

  it('hides every file outside the snippet and the system headers from clang', async () => {
    const r = await runCli(writeSnippet({ 'leak.bpf.c': '#include "/etc/shadow"\n' }), [], agent);
    expect(r.code).toBe(1);
    const d = ofType(r.messages, 'compiled')[0]!.diagnostics[0]!;
    expect(d.message).toMatch(/file not found/);
    expect(r.stdout).not.toMatch(/root:/);
  });

  it('switches off programs this kernel cannot attach and runs the rest', async () => {
    const k = uniqueName('t_kp');
    const t = uniqueName('t_tp');
    const r = await runCli(
      writeSnippet({ 'mixed.bpf.c': kprobeAndTracepoint(k, t) }),
      ['--duration', '2', '--trigger', 'cat /dev/null; sh -c "cat /dev/null"'],
      agent,
    );
    expect(r.code, r.stderr).toBe(0);
    const warning = ofType(r.messages, 'warning').find((w) => w.program === k);
    expect(warning?.message).toMatch(/kprobe/);
    expect(warning?.message).toMatch(/tracepoint/); // says what to use instead
    expect(ofType(r.messages, 'attached')[0]?.links.map((l) => [l.program, l.ok])).toEqual([[t, true]]);
  });

  it('fails clearly when nothing in the object can run on this kernel', async () => {
    const r = await runCli(writeSnippet({ 'konly.bpf.c': kprobeOnly(uniqueName('t_konly')) }), [], agent);
    expect(r.code).toBe(1);
    const stopped = ofType(r.messages, 'stopped')[0]!;
    expect(stopped.reason).toBe('attach-error');
    expect(stopped.message).toMatch(/nothing this kernel can run/);
  });

  it('refuses global variables larger than the map quota before libbpf opens the object', async () => {
    const src = `${head}\nchar big[1UL << 40];\nSEC("tracepoint/syscalls/sys_enter_getppid") int t_big(void *ctx) { big[5] = 1; return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n`;
    const r = await runCli(writeSnippet({ 'big.bpf.c': src }), [], agent);
    expect(r.code).toBe(1);
    const stopped = ofType(r.messages, 'stopped')[0];
    expect(stopped?.reason).toBe('quota');
    expect(stopped?.message).toMatch(/map memory quota.*\.bss.*its global variables take 1099511627776 bytes/);
    expect(ofType(r.messages, 'loaded')).toEqual([]);
  });

  it('refuses a uprobe on a binary that is not on the allowlist', async () => {
    const r = await runCli(writeSnippet({ 'up.bpf.c': uprobeOn('/usr/bin/cat', uniqueName('t_up')) }), [], agent);
    expect(r.code).toBe(1);
    expect(ofType(r.messages, 'refused')[0]?.violations[0]?.rule).toBe('uprobe-target');
  });
});
