import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { uniqueName } from '../harness/kernel.js';

const agent = useSharedAgent();
const lineOf = (src: string, text: string) => src.split('\n').findIndex((l) => l.includes(text)) + 1;
const head = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
`;
const license = 'char LICENSE[] SEC("license") = "GPL";\n';
const pins: string[] = [];
afterAll(() => {
  for (const p of pins) rmSync(p, { force: true });
});

/** A hash map pinned by "other software" (this test), with one entry: key 1 → value 42. */
function pinVictimMap(name: string): string {
  const path = `/sys/fs/bpf/${name}`;
  pins.push(path);
  execFileSync('bpftool', [
    'map',
    'create',
    path,
    'type',
    'hash',
    'key',
    '4',
    'value',
    '4',
    'entries',
    '8',
    'name',
    name,
  ]);
  execFileSync('bpftool', ['map', 'update', 'pinned', path, 'key', '1', '0', '0', '0', 'value', '42', '0', '0', '0']);
  return path;
}

/** A snippet with one ARRAY_OF_MAPS `name` whose inner template is an array with `inner`'s attributes. */
function arrayOfMaps(name: string, inner: string): string {
  return `${head}
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		${inner}
	});
} ${name} SEC(".maps");
SEC("tp/syscalls/sys_enter_getpid")
int ${uniqueName('t_mim')}(void *ctx) { return bpf_map_lookup_elem(&${name}, &(u32){0}) != 0; }
${license}`;
}

function victimValue(path: string): number[] {
  const out = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'dump', 'pinned', path]).toString()) as {
    value: string[] | number[];
  }[];
  return out.flatMap((e) => e.value.map(Number));
}

describe('map definitions as libbpf reads them', () => {
  it('refuses pinning at --compile-only time, naming the map and its line, and never touches a pinned map', async () => {
    const name = uniqueName('t_pin');
    const victim = pinVictimMap(name);
    const src = `${head}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ${name} SEC(".maps");

SEC("tp/syscalls/sys_enter_getpid")
int ${uniqueName('t_pinp')}(void *ctx)
{
	u32 k = 1, v = 7;
	bpf_map_update_elem(&${name}, &k, &v, BPF_ANY);
	return 0;
}
${license}`;
    const files = writeSnippet({ 'pin.bpf.c': src });
    const checked = await runCli(files, ['--compile-only'], agent);
    expect(checked.code, checked.stdout).toBe(1);
    const v = ofType(checked.messages, 'refused')[0]?.violations ?? [];
    expect(v).toMatchObject([
      { rule: 'map-pinning', location: { file: 'pin.bpf.c', line: lineOf(src, `} ${name} SEC`) } },
    ]);
    expect(v[0]!.message).toMatch(new RegExp(`map ${name} at pin\\.bpf\\.c:\\d+ asks to be pinned.*never pins`));
    // A full run, with the trigger the program would write on: refused before load, the pin untouched.
    const run = await runCli(files, ['--duration', '1', '--trigger', 'python3 -c "import os; os.getpid()"'], agent);
    expect(ofType(run.messages, 'stopped')[0]?.reason).toBe('refused');
    expect(ofType(run.messages, 'loaded')).toEqual([]);
    expect(victimValue(victim)).toEqual([42, 0, 0, 0]);
  });

  it('refuses pinning on a map-in-map inner template too', async () => {
    const name = uniqueName('t_pini');
    const src = arrayOfMaps(
      name,
      `__uint(max_entries, 1);
		__type(key, u32);
		__type(value, u32);
		__uint(pinning, LIBBPF_PIN_BY_NAME);`,
    );
    const r = await runCli(writeSnippet({ 'inner.bpf.c': src }), ['--compile-only'], agent);
    expect(r.code, r.stdout).toBe(1);
    expect(ofType(r.messages, 'refused')[0]?.violations.map((x) => x.rule)).toEqual(['map-pinning']);
    expect(existsSync(`/sys/fs/bpf/${name}`)).toBe(false);
  });

  it('counts a map-in-map inner template against the map-memory quota before anything is created', async () => {
    const name = uniqueName('t_inq');
    const src = arrayOfMaps(
      name,
      `__uint(max_entries, 1 << 19);
		__uint(key_size, 4);
		__uint(value_size, 1024);`,
    );
    const r = await runCli(writeSnippet({ 'mim.bpf.c': src }), ['--compile-only'], agent);
    expect(r.code, r.stdout).toBe(1);
    const stopped = ofType(r.messages, 'stopped')[0];
    expect(stopped?.reason).toBe('quota');
    expect(stopped?.message).toMatch(new RegExp(`maps need 51\\d\\.\\d MiB.*${name}\\.inner \\(array\\) 514\\.0 MiB`));
  });
});
