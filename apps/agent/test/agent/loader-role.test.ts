/**
 * The playground plays the C loader a libbpf-tools program comes with (design.md, "The playground is
 * the loader"): it sizes the maps the loader would size, and keeps one variant per hook, loading the
 * next one when a variant fails. Each test runs a program written the way those tools are.
 */
import { describe, expect, it } from 'vitest';
import { useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { head } from './programs.js';

const agent = useSharedAgent();

/** Stacks of the tasks that call getppid(), in a stack map and a hash map the C loader would size. */
function loaderSized(name: string): string {
  return `${head}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u32);
	__type(value, u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(u32));
} stackmap SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int ${name}(struct trace_event_raw_sys_enter *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 id = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
	bpf_map_update_elem(&start, &pid, &id, BPF_ANY);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
}

/** A tp_btf and a raw_tp variant of one probe; `broken` makes the tp_btf one fail the verifier. */
function twoVariants(btf: string, raw: string, broken: boolean): string {
  return `${head}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} forks SEC(".maps");

static int count(u32 pid)
{
	u64 one = 1, *n = bpf_map_lookup_elem(&forks, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&forks, &pid, &one, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(${btf}, struct task_struct *parent, struct task_struct *child)
{
	${broken ? '/* bpf_get_func_ip needs a trampoline: fentry/fexit only, refused in tp_btf */\n\tif (bpf_get_func_ip(ctx) == 1)\n\t\treturn 1;' : ''}
	return count(parent->tgid);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(${raw}, struct task_struct *parent, struct task_struct *child)
{
	return count(BPF_CORE_READ(parent, tgid));
}
char LICENSE[] SEC("license") = "GPL";
`;
}

describe('the playground as the loader', () => {
  it('sizes maps the C loader would size, warns naming each, and lists them as parameters', async () => {
    const name = uniqueName('t_size');
    const r = await runCli(
      writeSnippet({ 'sized.bpf.c': loaderSized(name) }),
      ['--duration', '1', '--trigger', 'for i in 1 2 3; do cat /proc/self/stat >/dev/null; done'],
      agent,
    );
    expect(r.code, r.stderr).toBe(0);
    const warnings = ofType(r.messages, 'warning').map((w) => w.message);
    expect(warnings).toContainEqual(
      expect.stringMatching(/^map start \(hash\) .* max_entries 10240; change with --param map\.start\.max_entries=N/),
    );
    expect(warnings).toContainEqual(
      expect.stringMatching(/^map stackmap \(stack_trace\) .* max_entries 10240 and value_size 1016/),
    );
    const params = ofType(r.messages, 'params')[0]?.params ?? [];
    const sized = params.filter((p) => p.loader).map((p) => [p.name, p.value]);
    expect(sized.sort()).toEqual([
      ['map.stackmap.max_entries', 10240],
      ['map.stackmap.value_size', 1016],
      ['map.start.max_entries', 10240],
    ]);
    const maps = ofType(r.messages, 'loaded')[0]?.maps ?? [];
    expect(maps.find((m) => m.name === 'start')).toMatchObject({ maxEntries: 10240 });
    expect(maps.find((m) => m.name === 'stackmap')).toMatchObject({ maxEntries: 10240, valueSize: 1016, keySize: 4 });
    expect(await waitNoPrograms(name)).toEqual([]);
  });

  it("takes --param map.<name>.max_entries and value_size like the loader's options", async () => {
    const name = uniqueName('t_size');
    const r = await runCli(
      writeSnippet({ 'sized.bpf.c': loaderSized(name) }),
      ['--duration', '1', '--param', 'map.start.max_entries=4096', '--param', 'map.stackmap.value_size=256'],
      agent,
    );
    expect(r.code, r.stderr).toBe(0);
    const maps = ofType(r.messages, 'loaded')[0]?.maps ?? [];
    expect(maps.find((m) => m.name === 'start')).toMatchObject({ maxEntries: 4096 });
    expect(maps.find((m) => m.name === 'stackmap')).toMatchObject({ valueSize: 256 });
    const params = ofType(r.messages, 'params')[0]?.params ?? [];
    expect(params.find((p) => p.name === 'map.start.max_entries')?.value).toBe(4096);
  });

  it('runs one variant per hook: tp_btf, with raw_tp switched off and waiting', async () => {
    const btf = uniqueName('t_vbtf');
    const raw = uniqueName('t_vraw');
    const r = await runCli(
      writeSnippet({ 'variants.bpf.c': twoVariants(btf, raw, false) }),
      ['--duration', '1', '--trigger', 'for i in 1 2 3; do /bin/true; done'],
      agent,
    );
    expect(r.code, r.stderr).toBe(0);
    const loaded = ofType(r.messages, 'loaded')[0]!;
    expect(loaded.programs.filter((p) => p.loaded).map((p) => p.name)).toEqual([btf]);
    expect(loaded.programs.find((p) => p.name === raw)?.skipped).toMatch(/serves the same hook/);
    expect(ofType(r.messages, 'attached')[0]?.links.map((l) => l.program)).toEqual([btf]);
  });

  it('switches a variant that fails the verifier off, with the reason, and loads its sibling', async () => {
    const btf = uniqueName('t_vbtf');
    const raw = uniqueName('t_vraw');
    const r = await runCli(
      writeSnippet({ 'variants.bpf.c': twoVariants(btf, raw, true) }),
      ['--duration', '1', '--trigger', 'for i in 1 2 3; do /bin/true; done'],
      agent,
    );
    expect(r.code, r.stderr).toBe(0);
    const warning = ofType(r.messages, 'warning').find((w) => w.program === btf);
    expect(warning?.message).toMatch(
      new RegExp(`${btf} .* is switched off: it failed to load \\(.+\\); ${raw} .* serves the hook instead`),
    );
    const loaded = ofType(r.messages, 'loaded')[0]!;
    expect(loaded.programs.filter((p) => p.loaded).map((p) => p.name)).toEqual([raw]);
    const forks = ofType(r.messages, 'maps')
      .at(-1)
      ?.maps.find((m) => m.name === 'forks');
    expect(forks?.entries.length ?? 0).toBeGreaterThan(0);
    expect(ofType(r.messages, 'stopped')[0]?.reason).toBe('timeout');
    expect(await waitNoPrograms(raw)).toEqual([]);
  });

  it("fails with the verifier's reason when the hook has nothing left", async () => {
    const btf = uniqueName('t_vbtf');
    const src = twoVariants(btf, 'unused', true).replace(/SEC\("raw_tp[\s\S]*?\n}\n/, '');
    const r = await runCli(writeSnippet({ 'one.bpf.c': src }), ['--duration', '1'], agent);
    expect(r.code).toBe(1);
    expect(ofType(r.messages, 'stopped')[0]).toMatchObject({ reason: 'verifier' });
    expect(ofType(r.messages, 'verifier').find((v) => !v.ok)?.program).toBe(btf);
  });
});
