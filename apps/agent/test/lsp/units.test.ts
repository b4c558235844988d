import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBtf } from '@bpfplay/btf';
import { encodeMessage, type JsonRpcMessage, MessageReader } from '../../src/lsp/framing.js';
import { Documents, offsetAt } from '../../src/lsp/documents.js';
import { calleeAt, enrichHover, enrichSignature, helperDocs, parseHelperDefs } from '../../src/lsp/helper-docs.js';
import { capCompletion, completionResult, definitionResult } from '../../src/lsp/convert.js';
import { MAX_GLOBAL_ITEMS } from '../../src/lsp/layout.js';
import { SecCatalog } from '../../src/lsp/sec-names.js';
import { readHeader } from '../../src/lsp/headers.js';

describe('LSP framing', () => {
  it('reads messages split anywhere, several per chunk', () => {
    const got: JsonRpcMessage[] = [];
    const r = new MessageReader(
      (m) => got.push(m),
      (e) => expect.fail(e),
      1 << 20,
    );
    const bytes = Buffer.concat([encodeMessage({ id: 1, result: 'é' }), encodeMessage({ method: 'x', params: [1] })]);
    for (let i = 0; i < bytes.length; i += 7) r.push(bytes.subarray(i, i + 7));
    expect(got).toEqual([
      { jsonrpc: '2.0', id: 1, result: 'é' },
      { jsonrpc: '2.0', method: 'x', params: [1] },
    ]);
  });

  it('refuses a message over the size limit instead of buffering it', () => {
    let error = '';
    const r = new MessageReader(
      () => expect.fail('no message expected'),
      (e) => (error = e),
      100,
    );
    r.push(Buffer.from('Content-Length: 5000\r\n\r\n{'));
    expect(error).toMatch(/5000 bytes \(limit 100\)/);
  });
});

describe('documents', () => {
  it('applies incremental changes at UTF-16 positions, as Monaco sends them', () => {
    const d = new Documents();
    d.reset([{ name: 'a.bpf.c', content: 'int é = 1;\nreturn 0;\n' }], 'a.bpf.c');
    d.change('a.bpf.c', 1, [
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 6 } }, text: 'retrun' },
    ]);
    d.change('a.bpf.c', 2, [
      { range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: 'x' },
    ]);
    expect(d.get('a.bpf.c')).toEqual({ text: 'int x = 1;\nretrun 0;\n', version: 2 });
    expect(() =>
      d.change('a.bpf.c', 3, [
        { range: { start: { line: 9, character: 0 }, end: { line: 9, character: 1 } }, text: '' },
      ]),
    ).toThrow(/outside the text/);
    expect(offsetAt('ab\ncd', { line: 1, character: 99 })).toBe(5);
  });

  it('names clangd paths as the user knows them and refuses anything else', () => {
    const d = new Documents();
    d.reset(
      [
        { name: 'exec.bpf.c', content: '' },
        { name: 'exec.h', content: '' },
      ],
      'exec.bpf.c',
    );
    expect(d.uriOf('exec.bpf.c')).toBe('file:///src/.main.bpf.c');
    expect(d.fileOf('file:///src/.main.bpf.c')).toEqual({ file: 'exec.bpf.c', header: false });
    expect(d.fileOf('file:///src/exec.h')).toEqual({ file: 'exec.h', header: false });
    expect(d.fileOf('file:///bpfplay/gen/vmlinux.h')).toEqual({ file: '<bpfplay>/vmlinux.h', header: true });
    expect(d.fileOf('file:///usr/include/bpf/bpf_helper_defs.h')).toEqual({
      file: '/usr/include/bpf/bpf_helper_defs.h',
      header: true,
    });
    expect(d.fileOf('file:///etc/passwd')).toBeUndefined();
  });
});

describe('helper documentation from libbpf', () => {
  const sample = `/*
 * bpf_ringbuf_reserve
 *
 * 	Reserve *size* bytes of payload in a ring buffer *ringbuf*.
 * 	*flags* must be 0.
 *
 * Returns
 * 	Valid pointer with *size* bytes of memory available; NULL,
 * 	otherwise.
 */
static void *(* const bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *) 131;
`;

  it('parses declarations with parameter names and their comments', () => {
    const h = parseHelperDefs(sample).get('bpf_ringbuf_reserve');
    expect(h).toEqual({
      name: 'bpf_ringbuf_reserve',
      returns: 'void *',
      params: ['void *ringbuf', '__u64 size', '__u64 flags'],
      doc: 'Reserve *size* bytes of payload in a ring buffer *ringbuf*. *flags* must be 0.\n\n**Returns** Valid pointer with *size* bytes of memory available; NULL, otherwise.',
    });
    // This host's header parses into the helpers programs use.
    for (const n of ['bpf_map_lookup_elem', 'bpf_get_current_pid_tgid', 'bpf_probe_read_kernel'])
      expect(helperDocs().has(n), n).toBe(true);
  });

  it('gives signature help the parameter names and hover the declaration', () => {
    const docs = parseHelperDefs(sample);
    const sig = enrichSignature(
      {
        method: 'signatureHelp',
        signatures: [
          {
            label: '(void *, __u64, __u64) -> void *',
            parameters: [
              [1, 7],
              [9, 14],
              [16, 21],
            ],
          },
        ],
        activeSignature: 0,
        activeParameter: 1,
      },
      calleeAt('\tvoid *e = bpf_ringbuf_reserve(&rb, sizeof(*e), '),
      docs,
    );
    const s = sig.signatures[0]!;
    expect(s.label).toBe('bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags) -> void *');
    expect(s.label.slice(...s.parameters[1]!)).toBe('__u64 size');
    const hover = enrichHover(
      {
        method: 'hover',
        contents:
          '### variable `bpf_ringbuf_reserve`  \nprovided by `<bpf/bpf_helpers.h>`  \n\n---\nType: `void *(*const)(void *, __u64, __u64)`',
      },
      docs,
    );
    // Once clangd has indexed the headers it has the comment too, escaped: ours replaces it.
    const indexed = enrichHover(
      {
        method: 'hover',
        contents:
          '### variable `bpf_ringbuf_reserve`  \n\n---\nType: `void *`  \nbpf_ringbuf_reserve  \nReserve \\*size\\* bytes  \n\n---\n```cpp\nstatic void *x\n```',
      },
      docs,
    );
    expect(indexed.contents.match(/Reserve/g)).toHaveLength(1);
    expect(indexed.contents).toMatch(/Type: `void \*` {2}\n\n---\n```cpp/);
    // clangd's heading first, then the declaration and the documentation, then clangd's details.
    expect(hover.contents).toMatch(/^### variable `bpf_ringbuf_reserve` {2}\nprovided by .*\n\n```c\n/);
    expect(hover.contents).toMatch(/otherwise\.\n\n---\nType: /);
    expect(hover.contents).toContain('void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags);');
    expect(hover.contents).toContain('Reserve *size* bytes');
  });

  it('finds the callee around nested calls', () => {
    expect(calleeAt('x = bpf_probe_read_kernel(&v, sizeof(v), ')).toBe('bpf_probe_read_kernel');
    expect(calleeAt('if (a) { f(')).toBe('f');
    expect(calleeAt('int x = 1; y')).toBeUndefined();
  });
});

describe('clangd answers to protocol types', () => {
  it('maps completion kinds, snippets and replace ranges', () => {
    const r = completionResult({
      isIncomplete: true,
      items: [
        { label: ' pid', kind: 5, detail: 'pid_t', textEdit: { range: range(1, 4, 1, 4), newText: 'pid' } },
        { label: 'BPF_CORE_READ(src, a, ...)', kind: 1, insertTextFormat: 2, insertText: 'BPF_CORE_READ(${1:src})' },
      ],
    });
    expect(r.isIncomplete).toBe(true);
    expect(r.items[0]).toMatchObject({ label: 'pid', kind: 'field', insertText: 'pid', range: range(1, 4, 1, 4) });
    expect(r.items[1]).toMatchObject({ kind: 'macro', snippet: true });
  });

  it('sends every member of a struct but cuts a long list of globals, marked incomplete', () => {
    const many = completionResult({ items: Array.from({ length: 400 }, (_, i) => ({ label: `m${i}`, kind: 5 })) });
    expect(capCompletion(many, '\tint p = t->').items).toHaveLength(400);
    expect(capCompletion(many, '\tx = s.m').items).toHaveLength(400);
    const globals = capCompletion(many, '\tlong x = b');
    expect(globals.items).toHaveLength(MAX_GLOBAL_ITEMS);
    expect(globals.isIncomplete).toBe(true);
    const few = completionResult({ items: [{ label: 'bpf_ktime_get_ns()', kind: 3 }] });
    expect(capCompletion(few, '\tbpf_k')).toEqual(few);
  });

  it('drops definitions in files the editor cannot show', () => {
    const d = new Documents();
    d.reset([{ name: 'a.bpf.c', content: '' }], 'a.bpf.c');
    const r = definitionResult(
      [
        { uri: 'file:///bpfplay/gen/vmlinux.h', range: range(10, 7, 10, 18) },
        { uri: 'file:///tmp/elsewhere.c', range: range(0, 0, 0, 1) },
      ],
      d,
    );
    expect(r.locations).toEqual([{ file: '<bpfplay>/vmlinux.h', header: true, range: range(10, 7, 10, 18) }]);
  });
});

describe('SEC("...") completion', () => {
  const catalog = new SecCatalog({
    capabilities: [
      { kind: 'kprobe', supported: false, reason: 'CONFIG_KPROBES is off' },
      { kind: 'tp_btf', supported: true },
    ],
    vmlinux: () => loadBtf(readFileSync('/sys/kernel/btf/vmlinux'), { name: 'vmlinux' }),
    uprobeBinaries: ['/usr/bin/bash'],
  });
  const pos = (line: string) => ({ line: 3, character: line.length });

  it('offers section prefixes, unsupported ones last with the reason', () => {
    const line = '\tSEC("k';
    const r = catalog.complete(line, pos(line))!;
    const kprobe = r.items.find((i) => i.label === 'kprobe/');
    expect(kprobe?.detail).toBe('not on this kernel: CONFIG_KPROBES is off');
    expect(kprobe?.range).toEqual({ start: { line: 3, character: 6 }, end: { line: 3, character: 7 } });
  });

  it('offers this kernel’s raw tracepoints, functions and binaries after a prefix', () => {
    const tp = 'SEC("tp_btf/sched_sw';
    expect(catalog.complete(tp, pos(tp))!.items.map((i) => i.label)).toContain('tp_btf/sched_switch');
    const fn = 'SEC("fentry/do_unlinkat';
    expect(catalog.complete(fn, pos(fn))!.items.map((i) => i.label)).toContain('fentry/do_unlinkat');
    const it = 'SEC("iter/ta';
    expect(catalog.complete(it, pos(it))!.items.map((i) => i.label)).toContain('iter/task');
    const up = 'SEC("uprobe/';
    expect(catalog.complete(up, pos(up))!.items.map((i) => i.label)).toEqual(['uprobe//usr/bin/bash:']);
  });

  it('caps a long list and says there is more', () => {
    const fn = 'SEC("kprobe/';
    const r = catalog.complete(fn, pos(fn))!;
    expect(r.items.length).toBe(200);
    expect(r.isIncomplete).toBe(true);
  });

  it('stays out of the way outside a SEC string', () => {
    expect(catalog.complete('\tint x = "tp/', { line: 0, character: 12 })).toBeUndefined();
  });
});

describe('read-only headers', () => {
  const dirs = { vmlinuxDir: '/nonexistent', includeDir: '/nonexistent' };
  it('serves system headers the compiler sees, and nothing outside them', async () => {
    expect(await readHeader('/usr/include/bpf/bpf_helper_defs.h', dirs)).toHaveProperty('text');
    for (const p of ['/usr/include/../../etc/shadow.h', '/etc/shadow', '<bpfplay>/../../etc/x.h', '/usr/bin/ls'])
      expect(await readHeader(p, dirs), p).toHaveProperty('error');
  });
});

function range(l1: number, c1: number, l2: number, c2: number) {
  return { start: { line: l1, character: c1 }, end: { line: l2, character: c2 } };
}
