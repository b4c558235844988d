import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompileTestHooks } from '../../src/compile/index.js';
import { describeLimitHit, resolveLimits } from '../../src/compile/limits.js';
import { sandboxIds } from '../../src/compile/sandbox-user.js';
import { readSandboxOutput } from '../../src/compile/storage.js';
import { afterSandboxedScript, COMPILE_TIMEOUT, HELLO, snippet, testCompiler, useTestCompiler } from './helpers.js';

/**
 * The agent (root) reads what the sandboxed tool wrote. Nothing outside the sandbox may reach the
 * run folders, and nothing the tool leaves there (a symlink to /etc/shadow, a FIFO, a hard link, a
 * huge file) is read as if it were the object.
 */
const hooks: CompileTestHooks = {};
const t = useTestCompiler({ testHooks: hooks });

const mode = (p: string) => statSync(p).mode & 0o7777;
/** Runs `sh -c script` on the host as `uid` (not in the sandbox): what any local process of that user could do. */
function asUser(uid: number, script: string) {
  return spawnSync(
    '/usr/bin/setpriv',
    [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '/usr/bin/sh', '-c', script],
    {
      encoding: 'utf8',
    },
  );
}

describe('run folders', { timeout: COMPILE_TIMEOUT }, () => {
  it('belong to root and the sandbox alone while a compile runs: no other user, nobody included, can reach them', async () => {
    const marker = `int held_${(Math.random() * 1e9) | 0};`;
    let inClang!: () => void;
    const held = new Promise<void>((r) => (inClang = r));
    let release!: () => void;
    hooks.holdSource = (main) =>
      main.includes(marker) ? (inClang(), new Promise<void>((r) => (release = r))) : undefined;
    try {
      const compile = t.compiler.compile(snippet(`${HELLO}\n${marker}\n`));
      await held;
      const root = join(tmpdir(), `bpfplay-compile-${process.pid}`);
      const dirs = readdirSync(root);
      const src = join(
        root,
        dirs.find((d) => d.startsWith('src-'))!,
      );
      const out = join(
        root,
        dirs.find((d) => d.startsWith('out-'))!,
      );
      const { uid, gid } = sandboxIds();
      expect(statSync(root)).toMatchObject({ uid: 0 });
      expect(mode(root)).toBe(0o700);
      expect(statSync(src)).toMatchObject({ uid: 0, gid });
      expect(mode(src)).toBe(0o2750);
      expect(mode(join(src, 'prog.bpf.c'))).toBe(0o640);
      expect(statSync(out)).toMatchObject({ uid, gid });
      expect(mode(out)).toBe(0o700);
      for (const who of [65534, uid]) {
        const r = asUser(who, `cat ${src}/prog.bpf.c; ln -s /etc/shadow ${out}/prog.o; ls ${out}`);
        expect(r.stdout, `uid ${who} read the snippet or the output folder`).toBe('');
        expect(r.stderr).toMatch(/Permission denied/);
      }
      release();
      const r = await compile;
      expect(r.ok, r.output).toBe(true);
      expect(r.object!.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    } finally {
      delete hooks.holdSource;
    }
  });

  it('keeps compiled objects 0600 in a 0700 cache', async () => {
    const r = await t.compiler.compile(snippet(`${HELLO}\nint cached_${(Math.random() * 1e9) | 0};\n`));
    expect(r.ok).toBe(true);
    await t.compiler.close();
    const objects = join(t.cacheDir, 'objects');
    expect(mode(t.cacheDir)).toBe(0o700);
    expect(mode(objects)).toBe(0o700);
    const entries = readdirSync(objects).filter((f) => f.endsWith('.entry'));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(mode(join(objects, e))).toBe(0o600);
  });
});

describe('what the sandboxed tool leaves behind', () => {
  const leave = (script: string): Promise<Buffer> =>
    afterSandboxedScript(script, async (out, r) => {
      expect(r.code, r.stderr).toBe(0);
      return readSandboxOutput(out, 'prog.o', 1 << 20);
    });

  it('reads a regular file', async () => {
    expect((await leave('printf ok > /out/prog.o')).toString()).toBe('ok');
  });

  it('refuses a symlink (to a root-only file), a FIFO, a hard link and a file over the size it may have', async () => {
    // /etc/shadow does not exist inside the sandbox, but on the host, where the agent reads, it does.
    await expect(leave('ln -s /etc/shadow /out/prog.o')).rejects.toThrow(/symlink; refused/);
    await expect(leave('mkfifo /out/prog.o')).rejects.toThrow(/not a regular file/);
    await expect(leave('echo x > /out/a && ln /out/a /out/prog.o')).rejects.toThrow(/2 links/);
    await expect(leave('head -c 2000000 /dev/zero > /out/prog.o')).rejects.toThrow(/over 1048576/);
  });
});

describe('a compile stopped by the CPU limit', () => {
  it('is reported as "compile took too long: CPU limit", also when clang was killed by the hard limit', () => {
    const l = resolveLimits({ cpuSeconds: 20 });
    const killed = {
      signal: 'SIGKILL' as const,
      timedOut: false,
      stderr: 'PLEASE submit a bug report',
      durationMs: 21_000,
    };
    expect(describeLimitHit(l, killed)).toMatch(/^compile took too long: CPU limit \(20 s of CPU time\)/);
    // A SIGKILL sooner than the CPU limit could be reached is something else, not blamed on it.
    expect(describeLimitHit(l, { ...killed, durationMs: 900 })).toBeUndefined();
    expect(describeLimitHit(l, { ...killed, timedOut: true })).toMatch(/wall-clock limit/);
    // Under load clang's crash handler was seen to abort() after SIGXCPU: the same limit.
    expect(describeLimitHit(l, { ...killed, signal: 'SIGABRT' })).toMatch(/^compile took too long: CPU limit/);
    expect(describeLimitHit(l, { ...killed, signal: 'SIGABRT', durationMs: 900 })).toBeUndefined();
    // Or clang's crash handler returned from SIGXCPU and clang failed to rename its deleted output.
    const survived = {
      signal: null,
      timedOut: false,
      stderr: `PLEASE submit a bug report\nStack dump:\n0.\tProgram arguments: clang\nerror: unable to rename temporary '/out/prog-1.o.tmp' to output file '/out/prog.o': 'No such file or directory'`,
      durationMs: 20_400,
    };
    expect(describeLimitHit(l, survived)).toMatch(/^compile took too long: CPU limit \(20 s of CPU time\)/);
    expect(describeLimitHit(l, { ...survived, durationMs: 900 })).toBeUndefined();
  });

  it(
    'says so for a real compile that needs more CPU than allowed',
    async () => {
      const heavy = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define P(i) SEC("tp/syscalls/sys_enter_getpid") int p##i(void *c) { u64 x = bpf_ktime_get_ns(); for (int j = 0; j < 4; j++) x = x * 7 + j; return x & i; }
#define P10(i) P(i##0) P(i##1) P(i##2) P(i##3) P(i##4) P(i##5) P(i##6) P(i##7) P(i##8) P(i##9)
#define P100(i) P10(i##0) P10(i##1) P10(i##2) P10(i##3) P10(i##4) P10(i##5) P10(i##6) P10(i##7) P10(i##8) P10(i##9)
P100(1) P100(2) P100(3) P100(4) P100(5) P100(6) P100(7) P100(8) P100(9)
char LICENSE[] SEC("license") = "GPL";
`;
      const small = await testCompiler({ limits: { cpuSeconds: 1 }, warm: false });
      try {
        const r = await small.compiler.compile(snippet(heavy));
        expect(r.ok).toBe(false);
        expect(r.diagnostics[0]).toMatchObject({
          severity: 'fatal',
          message: expect.stringMatching(/^compile took too long: CPU limit \(1 s of CPU time\) reached/),
        });
        expect(JSON.stringify(r.diagnostics)).not.toMatch(/crashed/);
      } finally {
        await small.cleanup();
      }
    },
    COMPILE_TIMEOUT * 2,
  );
});
