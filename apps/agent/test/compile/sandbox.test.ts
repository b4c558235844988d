import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompileTestHooks } from '../../src/compile/index.js';
import { describeLimitHit, resolveLimits } from '../../src/compile/limits.js';
import { runSandboxed, startSandboxed } from '../../src/compile/sandbox.js';
import { sandboxIds } from '../../src/compile/sandbox-user.js';
import { COMPILE_TIMEOUT, secretFirstLine, snippet, testCompiler, useTestCompiler } from './helpers.js';

/**
 * Without the sandbox, `#include "/etc/shadow"` prints the file's first line in clang's error
 * (measured). Every way of naming a file outside /usr, the snippet and our headers must end in
 * "file not found" (or an equivalent), with nothing of the file in the output.
 */
const SHADOW = secretFirstLine('/etc/shadow');
const PASSWD = secretFirstLine('/etc/passwd');

/** Read at each compile: a test sets holdSource to keep its compile in clang as long as it needs. */
const hooks: CompileTestHooks = {};
const t = useTestCompiler({ testHooks: hooks });

async function attempt(source: string) {
  const r = await t.compiler.compile(snippet(source));
  expect(r.ok, `compile unexpectedly succeeded:\n${r.output}`).toBe(false);
  expect(r.output).not.toContain(SHADOW);
  expect(r.output).not.toContain(PASSWD);
  expect(JSON.stringify(r.diagnostics)).not.toContain(PASSWD);
  return r;
}

describe('what clang can read', { timeout: COMPILE_TIMEOUT }, () => {
  it('#include "/etc/shadow" is "file not found", at the line that asked', async () => {
    const r = await attempt('#include "/etc/shadow"\n');
    expect(r.diagnostics[0]).toEqual({
      file: 'prog.bpf.c',
      line: 1,
      col: 10,
      severity: 'fatal',
      message: "'/etc/shadow' file not found",
    });
  });

  it.each([
    ['a relative climb', '#include "../../../../../etc/passwd"', "'../../../../../etc/passwd' file not found"],
    ['an angle-bracket absolute path', '#include </etc/passwd>', "'/etc/passwd' file not found"],
    ['the %: digraph', '%:include "/etc/shadow"', "'/etc/shadow' file not found"],
    ['a symlink through /proc', '#include "/proc/self/root/etc/passwd"', "'/proc/self/root/etc/passwd' file not found"],
    ['the merged-usr /lib symlink', '#include "/lib/../etc/passwd"', "'/lib/../etc/passwd' file not found"],
    ['a /usr symlink that points into /etc', '#include "/usr/lib/ssl/private/../../passwd"', 'file not found'],
    ['the snippet folder', '#include "/src/../etc/passwd"', "'/src/../etc/passwd' file not found"],
    ['C23 #embed', 'const char s[] = {\n#embed "/etc/passwd"\n};', "'/etc/passwd' file not found"],
  ])('%s is not readable', async (_what, source, message) => {
    const r = await attempt(`${source}\n`);
    expect(r.diagnostics.map((d) => d.message).join('\n')).toContain(message);
  });

  it('??=include (a trigraph) is ignored by clang, and reads nothing either way', async () => {
    const r = await attempt('??=include "/etc/passwd"\nint x;\n');
    expect(r.diagnostics.some((d) => d.option === '-Wtrigraphs')).toBe(true);
  });

  it('asm(".incbin") cannot pull a file into the object', async () => {
    const r = await attempt('asm(".incbin \\"/etc/passwd\\"");\n');
    expect(r.diagnostics).toContainEqual(
      expect.objectContaining({
        file: '<inline asm>',
        severity: 'error',
        message: "Could not find incbin file '/etc/passwd'",
      }),
    );
  });

  it('__has_include does not even reveal that a host file exists', async () => {
    const r = await t.compiler.compile(
      snippet(
        '#if __has_include("/etc/shadow") || __has_include(</etc/hostname>)\n#error host file visible\n#endif\nint x;\n',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('the system headers under /usr stay readable: <linux/bpf.h> programs compile', async () => {
    const r = await t.compiler.compile(
      snippet(`#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
`),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('the sandbox itself', () => {
  const limits = resolveLimits({ wallMs: 10_000 });

  it('runs the tool as its own user (not nobody) with no supplementary groups', async () => {
    const { uid, gid } = sandboxIds();
    expect(uid).not.toBe(65534);
    const r = await runSandboxed({ argv: ['/usr/bin/id'], mounts: [], limits });
    expect(r.stdout.trim()).toBe(`uid=${uid} gid=${gid} groups=${gid}`);
  });

  it('shows only /usr, its symlinks, /dev and /tmp at the root, plus the named mounts', async () => {
    const r = await runSandboxed({
      argv: ['/usr/bin/ls', '-A', '/', '/bpfplay'],
      mounts: [{ host: '/usr/include/bpf', sandbox: '/bpfplay/include' }],
      limits,
    });
    expect(r.stdout).toBe('/:\nbin\nbpfplay\ndev\nlib\nlib64\nsbin\ntmp\nusr\n\n/bpfplay:\ninclude\n');
  });

  it('mounts are read-only unless marked writable', async () => {
    const r = await runSandboxed({
      argv: ['/usr/bin/sh', '-c', 'echo x > /bpfplay/include/new.h; echo x > /usr/new; echo done'],
      mounts: [{ host: '/usr/include/bpf', sandbox: '/bpfplay/include' }],
      limits,
    });
    expect(r.stderr).toMatch(/\/bpfplay\/include\/new\.h: Read-only file system/);
    expect(r.stderr).toMatch(/\/usr\/new: Read-only file system/);
  });

  describe('has no network', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => server.close());

    it('cannot reach a server listening on the host loopback', async () => {
      const r = await runSandboxed({
        argv: ['/usr/bin/bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`],
        mounts: [],
        limits,
      });
      expect(r.stdout).not.toContain('connected');
      expect(r.stderr).toMatch(/Connection refused|Network is unreachable/);
      expect(connections).toBe(0);
    });
  });

  it('applies the rlimits from CompileLimits', async () => {
    const l = resolveLimits({
      cpuSeconds: 7,
      addressSpaceBytes: 123 * 1024 * 1024,
      fileSizeBytes: 4096 * 1000,
      processes: 99,
    });
    const r = await runSandboxed({
      argv: ['/usr/bin/prlimit', '--raw', '--noheadings', '-o', 'RESOURCE,SOFT,HARD'],
      mounts: [],
      limits: l,
    });
    const rows = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [name, soft, hard] = line.trim().split(/\s+/);
          return [name, `${soft}/${hard}`];
        }),
    );
    expect(rows).toMatchObject({
      CPU: '7/8',
      AS: `${123 * 1024 * 1024}/${123 * 1024 * 1024}`,
      FSIZE: '4096000/4096000',
      NPROC: '99/99',
      CORE: '0/0',
    });
  });

  it('stops a tool that spins past its CPU time, and says so', async () => {
    const l = resolveLimits({ cpuSeconds: 1 });
    const r = await runSandboxed({ argv: ['/usr/bin/sh', '-c', 'while :; do :; done'], mounts: [], limits: l });
    expect(r.signal).toBe('SIGXCPU');
    expect(describeLimitHit(l, r)).toMatch(/^compile took too long: CPU limit \(1 s of CPU time\) reached/);
  });

  it('stops a tool that writes a file over the size limit', async () => {
    const l = resolveLimits({ fileSizeBytes: 1_000_000 });
    const r = await runSandboxed({
      argv: ['/usr/bin/sh', '-c', '/usr/bin/head -c 2000000 /dev/zero > /tmp/big'],
      mounts: [],
      limits: l,
    });
    expect(describeLimitHit(l, r)).toBe('compile tried to write a file over 1 MiB and was stopped');
  });

  it('kills the whole process tree when the wall clock runs out', async () => {
    const marker = `${1000 + Math.floor(Math.random() * 1000)}.4242`;
    const l = resolveLimits({ wallMs: 500 });
    const r = await runSandboxed({
      argv: ['/usr/bin/sh', '-c', `/usr/bin/sleep ${marker} & /usr/bin/sleep ${marker}; wait`],
      mounts: [],
      limits: l,
    });
    expect(r.timedOut).toBe(true);
    expect(describeLimitHit(l, r)).toBe('compile took longer than 0.5 s (wall-clock limit) and was stopped');
    // The pid namespace dies with bwrap; the kernel reaps its processes a moment later.
    expect(await stillRunning(`sleep ${marker}`)).toBe(false);
  });

  it(
    'a tool started ahead of time and cancelled before it gets its input is killed, not left to run',
    async () => {
      const ac = new AbortController();
      // `cat` waits for stdin like the clang kept for the next compile does.
      const proc = startSandboxed(
        { argv: ['/usr/bin/cat'], mounts: [], limits: resolveLimits({ wallMs: 20_000 }) },
        { idle: true },
      );
      ac.abort();
      const exit = await proc.feed('never read', ac.signal);
      expect(exit.aborted).toBe(true);
      expect(exit.stdout).toBe('');
    },
    COMPILE_TIMEOUT,
  );

  it(
    'a cancelled compile rejects with AbortError',
    async () => {
      const ac = new AbortController();
      const marker = `int cancelled_${(Math.random() * 1e9) | 0};`;
      let inClang!: () => void;
      const held = new Promise<void>((r) => (inClang = r));
      // clang gets the source but never the end of it: only the cancel can end this compile.
      hooks.holdSource = (main) => (main.includes(marker) ? (inClang(), new Promise<void>(() => {})) : undefined);
      try {
        const p = t.compiler.compile(snippet(`#include "vmlinux.h"\n${marker}\n`), { signal: ac.signal });
        await held;
        ac.abort();
        await expect(p).rejects.toMatchObject({ name: 'AbortError' });
      } finally {
        delete hooks.holdSource;
      }
    },
    COMPILE_TIMEOUT,
  );

  it(
    'a snippet that makes clang exhaust its memory is stopped and reported as such',
    async () => {
      // 10^8 tokens from 8 lines of macros: the AST alone needs gigabytes.
      const levels = ['#define X1 1+1+1+1+1+1+1+1+1+1'];
      for (let i = 2; i <= 8; i++)
        levels.push(
          `#define X${i} ${Array(10)
            .fill(`X${i - 1}`)
            .join('+')}`,
        );
      const bomb = `${levels.join('\n')}\nint f(void) { return X8; }\n`;
      const small = await testCompiler({ limits: { addressSpaceBytes: 512 * 1024 * 1024 } });
      try {
        const r = await small.compiler.compile(snippet(bomb));
        expect(r.ok).toBe(false);
        expect(r.output).toContain('LLVM ERROR: out of memory');
        expect(r.diagnostics[0]).toMatchObject({
          severity: 'fatal',
          message: 'compile needed more than 512 MiB of memory and was stopped',
        });
      } finally {
        await small.cleanup();
      }
    },
    COMPILE_TIMEOUT,
  );
});

/** Polls `ps` until no process's command line contains `needle` (true if one still does after 5 s). */
async function stillRunning(needle: string): Promise<boolean> {
  const until = Date.now() + 5000;
  for (;;) {
    const ps = execFileSync('/usr/bin/ps', ['-eo', 'args'], { encoding: 'utf8' });
    if (!ps.includes(needle)) return false;
    if (Date.now() > until) return true;
    await new Promise((res) => setTimeout(res, 20));
  }
}
