/**
 * What other users of the host can do to the compile pipeline the root agent reads from: the
 * sandboxed tool (or anyone running as its user) swaps the object for a link to a root-only file,
 * a hard link or a FIFO; a local process as `nobody` (the old sandbox uid) reaches into run folders.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRunDir, readSandboxOutput, removeDir, RUN_FILE_MODE } from '../../src/compile/storage.js';
import { requireKernel } from '../harness/kernel.js';
import { afterSandboxedScript } from '../compile/helpers.js';
import { Tally } from './summary.js';

const tally = new Tally();
afterAll(() => {
  const title = 'host';
  tally.save(title);
  console.log(tally.table(title));
});

/** What the agent makes of a prog.o the sandboxed `script` left: its text, or why it refused it. */
async function leave(script: string): Promise<string> {
  try {
    return await afterSandboxedScript(script, async (out, r) => {
      if (r.code !== 0) return `the script failed: ${r.stderr}`;
      return `read: ${(await readSandboxOutput(out, 'prog.o', 1 << 20)).toString('latin1').slice(0, 40)}`;
    });
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

/** `sh -c script` on the host as uid 65534, as any local process running as nobody could. */
function asNobody(script: string) {
  return spawnSync(
    '/usr/bin/setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/sh', '-c', script],
    {
      encoding: 'utf8',
    },
  );
}

describe('host', () => {
  it('compile output: a link to a root-only file, a hard link or a FIFO in place of the object is refused', async () => {
    requireKernel();
    const cases: [string, string, RegExp][] = [
      ['symlink to /etc/shadow', 'ln -s /etc/shadow /out/prog.o', /^refused: .*symlink; refused/],
      ['hard link', 'echo x > /out/a && ln /out/a /out/prog.o', /^refused: .*2 links/],
      ['FIFO', 'mkfifo /out/prog.o', /^refused: .*not a regular file/],
      ['regular file (control)', 'printf ok > /out/prog.o', /^read: ok$/],
    ];
    for (const [name, script, want] of cases) {
      const got = await leave(script);
      tally.record('compile output', name, want.test(got) ? undefined : got);
      expect(got, name).toMatch(want);
    }
  });

  it('run folders: nobody reads a snippet or plants a file where the sandbox writes: both are refused', async () => {
    const src = await makeRunDir('readable');
    const out = await makeRunDir('writable');
    try {
      writeFileSync(join(src, 'secret.bpf.c'), 'int secret;', { mode: RUN_FILE_MODE });
      const read = asNobody(`cat ${join(src, 'secret.bpf.c')}`);
      const plant = asNobody(`ln -s /etc/shadow ${join(out, 'prog.o')}`);
      const ok = read.status !== 0 && !read.stdout.includes('secret') && plant.status !== 0;
      tally.record(
        'run folders',
        'nobody reads a snippet / plants a link',
        ok ? undefined : `${read.stdout} ${plant.status}`,
      );
      expect(read.status).not.toBe(0);
      expect(plant.status).not.toBe(0);
    } finally {
      await removeDir(src);
      await removeDir(out);
    }
  });
});
