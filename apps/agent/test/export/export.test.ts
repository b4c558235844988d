import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { CLI, REPO, useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli } from '../harness/cli.js';
import { EventTable } from '../../src/cli/event-table.js';
import { formatMaps } from '../../src/cli/format.js';

/**
 * Take it home: five gallery examples exported with `bpfplay export`, built here with their own
 * Makefile (real clang, bpftool, gcc, libbpf), run as a learner would run them while the playground
 * runs the same example on the same activity, and compared with what the playground showed.
 */
const agent = useSharedAgent();
let work: string;
/** One vmlinux.h for every project: `make` would dump the same one three times (~2 s each here). */
let vmlinux: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bpfplay-export-'));
  vmlinux = join(work, 'vmlinux.h');
  execFileSync('sh', ['-c', `bpftool btf dump file /sys/kernel/btf/vmlinux format c > ${vmlinux}`]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A gallery example's C files, the main one first. */
const example = (name: string) => [
  join(REPO, 'bpf', name, `${name}.bpf.c`),
  ...readdirSync(join(REPO, 'bpf', name))
    .filter((f) => f.endsWith('.h'))
    .map((f) => join(REPO, 'bpf', name, f)),
];

/** `bpfplay export` then `make`: the project's folder. */
function exportAndBuild(files: string[], name: string, args: string[] = []): string {
  execFileSync(process.execPath, [CLI, 'export', ...files, '--out', work, '--agent', agent.url, ...args], {
    env: { ...process.env, BPFPLAY_TOKEN: agent.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const dir = join(work, name);
  copyFileSync(vmlinux, join(dir, 'vmlinux.h'));
  execFileSync('make', ['-s', '-C', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

interface Binary {
  /** Ctrl-C, as a learner stops it; resolves with everything it printed once it has exited. */
  interrupt(): Promise<string>;
}

/** Start the built loader; resolves once it says it is attached and running. */
async function startBinary(path: string, args: string[]): Promise<Binary> {
  const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<string>((resolve) => child.on('close', () => resolve(out)));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      if (/running/.test(err)) resolve();
    });
    child.on('close', (code) => reject(new Error(`${path} exited (${code}) before running:\n${err}`)));
  });
  return {
    interrupt: () => {
      child.kill('SIGINT');
      return done;
    },
  };
}

/** The playground's rows for a run's records, as `bpfplay run` prints them (EventTable). */
function playgroundRows(messages: ServerMessage[]): string[] {
  const table = new EventTable();
  const lines: string[] = [];
  for (const m of messages) {
    const text = m.type === 'schema' ? table.schema(m) : m.type === 'events' ? table.events(m) : undefined;
    if (text) lines.push(...text.split('\n'));
  }
  return lines;
}

/** A row without its time column, whitespace collapsed (widths depend on what else each one saw). */
const fields = (line: string) => line.trim().split(/\s+/).slice(1).join(' ');

describe('bpfplay export: build the project and run it beside the playground', () => {
  it('execsnoop (ring buffer): the binary prints the same header and the same rows for the same execs', async () => {
    const dir = exportAndBuild(example('execsnoop'), 'execsnoop');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('make STATIC=1');
    const bin = await startBinary(join(dir, 'execsnoop'), ['--duration', '30']);
    const run = await runCli(
      example('execsnoop'),
      ['--duration', '2', '--trigger', '/bin/true; /bin/true; /bin/true'],
      agent,
    );
    const out = await bin.interrupt();
    const played = playgroundRows(run.messages);
    const header = played.find((l) => l.includes('FILENAME'))!;
    expect(out.split('\n')).toContain(header);
    const trues = played.filter((l) => / true +\/bin\/true$/.test(l));
    expect(trues.length, run.stdout).toBeGreaterThanOrEqual(3);
    const rows = out.split('\n').map(fields);
    for (const row of trues) expect(rows, `binary output:\n${out}`).toContain(fields(row));
  });

  it('bashreadline (perf buffer, uretprobe): the binary prints the line typed into bash as the playground row', async () => {
    const dir = exportAndBuild(example('bashreadline'), 'bashreadline');
    const typed = `echo bpfplay-export-perf-${process.pid}`;
    const bin = await startBinary(join(dir, 'bashreadline'), ['--duration', '30']);
    // An interactive bash (under script(1), which gives it a terminal) reads the line with readline().
    const bash = `printf '%s\\nexit\\n' '${typed}' | script -qc 'bash --norc --noprofile -i' /dev/null`;
    const run = await runCli(example('bashreadline'), ['--duration', '2', '--trigger', bash], agent);
    const out = await bin.interrupt();
    const played = playgroundRows(run.messages);
    const header = played.find((l) => l.includes('STR'))!;
    expect(header, run.stdout).toBeDefined();
    expect(out.split('\n')).toContain(header);
    const lines = played.filter((l) => l.endsWith(typed));
    expect(lines.length, run.stdout).toBeGreaterThanOrEqual(1);
    const rows = out.split('\n').map(fields);
    for (const row of lines) expect(rows, `binary output:\n${out}`).toContain(fields(row));
  });

  it('opensnoop with a knob: --targ-failed true keeps only failures, as --param targ_failed=true does', async () => {
    const dir = exportAndBuild(example('opensnoop'), 'opensnoop');
    const missing = `/bpfplay-export-missing-${process.pid}`;
    const bin = await startBinary(join(dir, 'opensnoop'), ['--duration', '30', '--targ-failed', 'true']);
    const run = await runCli(
      example('opensnoop'),
      ['--duration', '2', '--param', 'targ_failed=true', '--trigger', `cat /etc/hostname ${missing} 2>/dev/null; true`],
      agent,
    );
    const out = await bin.interrupt();
    const played = playgroundRows(run.messages).filter((l) => l.endsWith(missing));
    expect(played.length, run.stdout).toBeGreaterThanOrEqual(1);
    const rows = out.split('\n').map(fields);
    for (const row of played) expect(rows, `binary output:\n${out}`).toContain(fields(row));
    // Numbers by name, as the playground shows them: the failure and the flags of cat's open.
    expect(out).toMatch(new RegExp(` -ENOENT +O_RDONLY +cat +${missing}$`, 'm'));
    // The knob took effect: no successful open of /etc/hostname by that cat was printed.
    expect(out).not.toMatch(/ cat +\S+ +\/etc\/hostname/);
  });

  it('runqlat (log2 histogram): the map at exit is the same map, drawn the same way', async () => {
    const dir = exportAndBuild(example('runqlat'), 'runqlat');
    const busy =
      "for j in 1 2 3; do timeout 1 sh -c 'while :; do :; done' & done; for i in $(seq 20); do sleep 0.02; done; wait";
    const bin = await startBinary(join(dir, 'runqlat'), ['--duration', '30']);
    const run = await runCli(example('runqlat'), ['--duration', '3', '--trigger', busy], agent);
    const out = await bin.interrupt();
    const snap = ofType(run.messages, 'maps').at(-1)!;
    const text = formatMaps(snap.maps, snap.stacks).split('\n');
    const head = text.find((l) => l.startsWith('map hists'))!;
    expect(out.split('\n')).toContain(head);
    expect(out).toContain(text.find((l) => l.includes('@hists'))!);
    const buckets = out.split('\n').filter((l) => /^ {2}\[\S+, \S+\) +\d+ \|@*/.test(l));
    expect(buckets.length, out).toBeGreaterThanOrEqual(3);
  });

  it('libcfunclat (globals): the binary prints .rodata and .bss at exit as the playground’s last snapshot does', async () => {
    const dir = exportAndBuild(example('libcfunclat'), 'libcfunclat');
    const pwd = 'for i in 1 2 3 4 5 6; do /bin/pwd >/dev/null; done';
    const bin = await startBinary(join(dir, 'libcfunclat'), ['--duration', '30']);
    const run = await runCli(example('libcfunclat'), ['--duration', '2', '--trigger', pwd], agent);
    const out = await bin.interrupt();
    const snap = ofType(run.messages, 'maps').at(-1)!;
    const played = formatMaps(snap.maps, snap.stacks).split('\n');
    const globals = (lines: string[]) => {
      const i = lines.findIndex((l) => /^map \S+\.bss \(array\)$/.test(l));
      return i < 0 ? undefined : (JSON.parse(lines[i + 1]!.replace(/^ {2}"\.bss": /, '')) as Record<string, unknown>);
    };
    const mine = globals(out.split('\n'));
    const theirs = globals(played);
    expect(theirs, played.join('\n')).toBeDefined();
    expect(mine, `binary output:\n${out}`).toBeDefined();
    // The same variables in the same order and form; the counts are each run's own (both saw the six pwd).
    expect(Object.keys(mine!)).toEqual(Object.keys(theirs!));
    expect(mine!.has_vfs_read).toBe(theirs!.has_vfs_read);
    for (const g of [mine!, theirs!]) expect(Number(g.calls)).toBeGreaterThanOrEqual(6);
    // The knobs' section is the same line in both: targ_tgid as the flag (not given) left it.
    const rodata = played.find((l) => l.startsWith('  ".rodata": '))!;
    expect(rodata).toBe('  ".rodata": {"targ_tgid":0}');
    expect(out.split('\n')).toContain(rodata);
  });
});
