import type { LayoutNode } from '@bpfplay/protocol';
import { decodeRecord, shownOf } from '@bpfplay/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { openObjectSpec, recordLayout, type Btf } from '../src/index.js';
import { compileBpf, removeCompiled } from './helpers/toolchain.js';

afterAll(removeCompiled);

/**
 * Which fields get a readable form, chosen from BTF (member name, typedef chain, size, siblings)
 * when the layout is built, on records clang compiled (fixtures/names.bpf.c): the real ones
 * (opensnoop's, raw_syscalls' contexts, addresses in network order, Inspektor Gadget's typedefs)
 * and look-alikes that must stay numbers. The golden lists, per global, each top-level field with
 * its formatter, its raw value and what is shown beside it.
 */
const obj = openObjectSpec(compileBpf('names.bpf.c').bytes, 'names.bpf.o');
const btf = obj.btf as Btf;

function globals(): { name: string; typeId: number; bytes: Uint8Array }[] {
  const sec = btf.find('.data', 'datasec');
  if (sec?.kind !== 'datasec') throw new Error('names.bpf.o has no .data DATASEC');
  const data = obj.elf.section('.data')!.data;
  return sec.vars.flatMap((vs) => {
    const v = btf.type(vs.type);
    return v.kind === 'var'
      ? [{ name: v.name, typeId: v.type, bytes: data.subarray(vs.offset, vs.offset + vs.size) }]
      : [];
  });
}

/** `fmt` of a node, or of the nodes inside it (`conn.saddr`), by path. */
function formatted(node: LayoutNode, path: string, into: string[]): void {
  if (node.fmt) into.push(`${path}=${node.fmt}`);
  else if (node.k === 'struct')
    for (const f of node.fields) formatted(f.node, path ? `${path}.${f.name}` : f.name, into);
  else if (node.k === 'array') formatted(node.elem, `${path}[]`, into);
}

describe('formatters chosen from BTF', () => {
  it('names the numbers of real records and leaves look-alikes alone (golden)', async () => {
    const lines: string[] = [];
    for (const g of globals()) {
      const layout = recordLayout(btf, g.typeId);
      const value = decodeRecord(layout, g.bytes) as Record<string, unknown>;
      const shown = shownOf(layout, g.bytes) ?? {};
      lines.push(`${g.name}: ${layout.typeName}`);
      if (layout.root.k !== 'struct') continue;
      for (const f of layout.root.fields) {
        const inside: string[] = [];
        formatted(f.node, '', inside);
        const fmt = f.node.fmt ?? (inside.length ? `{${inside.join(' ')}}` : '-');
        const raw = JSON.stringify(value[f.name]);
        const readable = f.name in shown ? `  →  ${JSON.stringify(shown[f.name])}` : '';
        lines.push(`  ${f.name.padEnd(14)} ${fmt.padEnd(12)} ${raw}${readable}`);
      }
    }
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('golden/formatters.txt');
  });

  it('spelled out: what a learner sees for the records the issue names', () => {
    const byName = new Map(globals().map((g) => [g.name, g]));
    const shown = (name: string) => {
      const g = byName.get(name)!;
      return shownOf(recordLayout(btf, g.typeId), g.bytes);
    };
    expect(shown('open_failed')).toEqual({ ret: '-ENOENT', flags: 'O_RDONLY|O_CLOEXEC' });
    // A file descriptor is not an error.
    expect(shown('open_ok')).toEqual({ flags: 'O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE' });
    expect(shown('sys_enter')).toEqual({ id: 'openat' });
    expect(shown('sys_exit')).toEqual({ id: 'execve', ret: '-EACCES' });
    expect(shown('killed')).toEqual({ sig: 'SIGKILL', signo: 'SIGTERM' });
    expect(shown('lookup')).toEqual({ eai: 'EAI_NONAME' });
    expect(shown('conn')).toMatchObject({
      saddr: '10.0.0.1',
      daddr: '127.0.0.1',
      sport: 40000,
      dport: 443,
      proto: 'TCP',
      family: 'AF_INET6',
      saddr_v6: '2001:db8::1',
      daddr_v6: '::1',
      src_ip6: '::ffff:10.0.0.2',
      dst_ip: '192.168.1.20',
    });
    for (const plain of ['lport', 'seq', 'protocol', 'mac_addr']) expect(shown('conn')).not.toHaveProperty(plain);
  });
});
