import type { Btf } from './btf.js';

/**
 * Helper id -> name, read from the kernel's own `enum bpf_func_id` (BPF_FUNC_probe_write_user = 36 ->
 * `bpf_probe_write_user`), so new kernels' helpers are named without a table in our code.
 */
export function helperNames(vmlinux: Btf): Map<number, string> {
  const e = vmlinux.find('bpf_func_id', 'enum') ?? vmlinux.find('bpf_func_id', 'enum64');
  if (!e)
    throw new Error(`BTF ${vmlinux.name} has no enum bpf_func_id; pass the kernel's BTF (/sys/kernel/btf/vmlinux)`);
  const out = new Map<number, string>();
  for (const v of e.values) {
    if (!v.name.startsWith('BPF_FUNC_') || v.name === 'BPF_FUNC_unspec') continue;
    out.set(Number(v.value), `bpf_${v.name.slice('BPF_FUNC_'.length)}`);
  }
  return out;
}
