import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedFrames, type Value } from '@bpfplay/protocol';
import { formatMaps, Transcript } from '../../src/cli/format.js';
import { REPO, useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli } from '../harness/cli.js';

const agent = useSharedAgent();
const DIR = join(REPO, 'bpf', 'openstacks');
const files = readdirSync(DIR)
  .filter((f) => /\.(c|h)$/.test(f))
  .map((f) => join(DIR, f));
/**
 * cat for kernel stacks; a python3 that lives on for user frames: a process's frames are named
 * from its /proc/<pid>/maps, which a cat has usually taken away before the next poll looks.
 */
/** A file only this test opens: other processes on the machine open files too. */
const FILE = join(mkdtempSync(join(tmpdir(), 'os-')), 'f');
writeFileSync(FILE, 'x');
const TRIGGER = `for i in 1 2 3 4 5; do cat ${FILE} > /dev/null; done; /usr/bin/python3 -c 'import time
time.sleep(0.3)
for _ in range(20): open("${FILE}").close(); time.sleep(0.1)'`;

type Obj = { [k: string]: Value };

/**
 * bpf_get_stack() into a ring buffer record (the gallery's openstacks, libbpf-bootstrap's layout:
 * `__u64 kstack[]`, `__u64 ustack[]`), on this kernel: the agent says which fields are stacks,
 * names their frames before the records that hold them, adds the stacks up into a flame graph,
 * and the CLI prints the names.
 */
describe('stacks inside ring buffer records', () => {
  it('are recognised, named from kallsyms and libc, and added up into a profile', async () => {
    // Binary events, as the web app takes them: every process on the machine opens files, and
    // copying records costs the runner less than writing each one's 64 frames as JSON.
    const r = await runCli(files, ['--binary', '--duration', '6', '--trigger', TRIGGER], agent);
    expect(r.code, r.stderr).toBe(0);
    const stats = ofType(r.messages, 'stopped').at(-1)?.stats;

    const schema = ofType(r.messages, 'schema').find((s) => s.source === 'events');
    expect(schema?.stacks?.map((s) => s.field)).toEqual(['kstack', 'ustack']);
    expect(schema?.stacks?.[0]).toMatchObject({ pid: 'pid', comm: 'comm' });

    // Names arrive before the first records that need them: by the time a record is read, its frames are named.
    const names = new Map<string, string>();
    const seen: Record<string, { kernel: string[]; user: string[] }[]> = {};
    for (const m of r.messages) {
      if (m.type === 'symbols') for (const [k, v] of Object.entries(m.names)) names.set(k, v);
      if (m.type !== 'events' || m.source !== 'events') continue;
      for (const v of m.records.map((x) => x.value as Obj)) {
        if (v.filename !== FILE || typeof v.comm !== 'string') continue;
        (seen[v.comm] ??= []).push({
          kernel: namedFrames(v.kstack!, v.pid, names),
          user: namedFrames(v.ustack!, v.pid, names),
        });
      }
    }
    const cat = seen.cat?.[0];
    expect(cat, `a record of cat opening ${FILE} (run: ${JSON.stringify(stats)})`).toBeDefined();
    // Every kernel frame is a symbol (func+0x…), the syscall entry among them, none left as an address.
    expect(cat!.kernel.length).toBeGreaterThan(2);
    for (const f of cat!.kernel) expect(f).toMatch(/^[\w.]+\+0x[0-9a-f]+( \[\w+\])?$/);
    expect(cat!.kernel.join(' ')).toMatch(/\bdo_syscall_64\+0x/);
    // The innermost user frame is in libc, which is on the allowlist: named from its symbols.
    expect(seen.python3?.map((p) => p.user[0])).toContainEqual(
      expect.stringMatching(/^\w+\+0x[0-9a-f]+ \(libc\.so\.6\)$/),
    );

    const profile = ofType(r.messages, 'maps')
      .at(-1)
      ?.stacks?.find((p) => p.name === 'events');
    expect(profile).toMatchObject({ records: { source: 'events', field: 'kstack,ustack' }, unit: 'records' });
    const catStacks = profile!.samples.filter((s) => s.frames[0] === 'cat');
    expect(catStacks.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(5);
    // Root first: the command, the user frames (libc), then the kernel frames down to the tracepoint.
    const path = profile!.samples.find(
      (s) => s.frames[0] === 'python3' && s.frames.some((f) => /\(libc\.so\.6\)$/.test(f)),
    )?.frames;
    expect(path, 'a python3 stack through libc').toBeDefined();
    const libc = path!.findIndex((f) => /\(libc\.so\.6\)$/.test(f));
    expect(libc).toBeGreaterThan(0);
    expect(path!.findIndex((f) => f.startsWith('do_syscall_64+'))).toBeGreaterThan(libc);

    // The CLI's table prints the same records with the frames by name.
    const t = new Transcript();
    const text = r.messages.map((m) => t.format(m) ?? '').join('\n');
    expect(text).toMatch(/python3\s+\/tmp\/\S+.*\w+\+0x[0-9a-f]+ ← .*\w+\+0x[0-9a-f]+ \(libc\.so\.6\)/);
    const last = ofType(r.messages, 'maps').at(-1)!;
    expect(formatMaps(last.maps, last.stacks)).toMatch(/^stacks in events records \(kstack,ustack, bpf_get_stack\)/m);
  });
});
