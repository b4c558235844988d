import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf, enumOnlyBtf, loadBtf, openObjectSpec, type BtfEnum } from '@bpfplay/btf';
import type { BpfObject } from '@bpfplay/libbpf';
import { coreBtfFor } from '../../src/load/core-btf.js';
import { loadObject } from '../../src/load/loader.js';
import { tempDirPerTest, useTestCompiler } from '../compile/helpers.js';
import { head } from '../agent/programs.js';

const tc = useTestCompiler();
const freshDir = tempDirPerTest('bpfplay-core-btf-');
const vmlinux = loadBtf(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' });

/** bpf_printk with four arguments: only the bpf_snprintf path takes more than three (Linux 5.13+). */
const printk4 = `${head}
SEC("tracepoint/syscalls/sys_enter_getppid")
int t_corebtf(void *ctx)
{
	bpf_printk("%d %d %d %d", 1, 2, 3, 4);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** A field read through CO-RE: needs the kernel's struct task_struct. */
const fieldRead = `${head}
SEC("tracepoint/syscalls/sys_enter_getppid")
int t_corefield(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	bpf_printk("%d", BPF_CORE_READ(t, pid));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

async function compiled(source: string): Promise<Uint8Array> {
  const r = await tc.compiler.compile({ files: [{ name: 'p.bpf.c', content: source }] });
  if (!r.ok || !r.object) throw new Error(`compile failed: ${JSON.stringify(r.diagnostics)}`);
  return r.object;
}

function load(object: Uint8Array, coreBtfPath?: string): BpfObject {
  return loadObject({ object, objectName: 'p', skip: {}, ...(coreBtfPath ? { coreBtfPath } : {}) }, () => {});
}

/** The helpers the kernel will call: the loaded program's translated instructions, by bpftool. */
function helpersCalled(obj: BpfObject): string {
  const id = obj.programs()[0]!.info().id;
  const text = execFileSync('bpftool', ['prog', 'dump', 'xlated', 'id', String(id)], { encoding: 'utf8' });
  return [...text.matchAll(/call (bpf_\w+)/g)].map((m) => m[1]).join(' ');
}

describe('CO-RE against a small BTF of BPF enums (load/core-btf.ts)', () => {
  it("bpf_printk's snprintf check resolves against a file of one enum, with the kernel's answer", async () => {
    const object = await compiled(printk4);
    const dir = freshDir();
    const path = coreBtfFor(openObjectSpec(object, 'p'), vmlinux, dir);
    expect(path).toBeDefined();
    // The kernel's BTF is megabytes; this holds enum bpf_func_id alone.
    expect(statSync(path!).size).toBeLessThan(16 * 1024);
    const small = Btf.parse(readFileSync(path!));
    const [id] = small.findByName('bpf_func_id');
    const kernelEnum = vmlinux.type(vmlinux.findByName('bpf_func_id', 'enum')[0]!) as BtfEnum;
    expect(small.type(id!)).toMatchObject({ kind: 'enum', size: kernelEnum.size, values: kernelEnum.values });
    // Same file for the same content.
    expect(coreBtfFor(openObjectSpec(object, 'p'), vmlinux, dir)).toBe(path);
    const obj = load(object, path);
    expect(helpersCalled(obj)).toMatch(/bpf_snprintf/);
    expect(helpersCalled(obj)).not.toMatch(/bpf_trace_printk/);
    obj.close();
  });

  it('libbpf really reads the file: without BPF_FUNC_snprintf in it, the fallback is what loads', async () => {
    const object = await compiled(printk4);
    const dir = freshDir();
    const kernelEnum = vmlinux.type(vmlinux.findByName('bpf_func_id', 'enum')[0]!) as BtfEnum;
    const without = { ...kernelEnum, values: kernelEnum.values.filter((v) => v.name !== 'BPF_FUNC_snprintf') };
    const path = join(dir, 'no-snprintf.btf');
    writeFileSync(path, enumOnlyBtf([without]));
    const obj = load(object, path);
    expect(helpersCalled(obj)).toMatch(/bpf_trace_printk/);
    expect(helpersCalled(obj)).not.toMatch(/bpf_snprintf/);
    obj.close();
  });

  it('objects that read kernel structures through CO-RE keep the kernel BTF', async () => {
    const object = await compiled(fieldRead);
    const dir = freshDir();
    expect(coreBtfFor(openObjectSpec(object, 'p'), vmlinux, dir)).toBeUndefined();
  });
});
