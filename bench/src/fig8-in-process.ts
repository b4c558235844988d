import { Btf, decodeValue, fieldsOf, openObjectSpec, resolveCoreRelocations } from '../../packages/btf/src/index.js';
import { compileBpf, removeCompiled, requireKernelBtf } from '../../packages/btf/test/helpers/toolchain.js';
import { AgentStore } from '../../apps/web/src/state/agentStore';
import { Inbox } from '../../apps/web/src/state/inbox';
import { eventsFrame } from '../../apps/web/test/fixtures';
import { median, ms, rate, spread } from './stats.js';
import type { Table } from './table.js';

/**
 * Figure 8: what the pure code costs on one core, without an agent or a browser: parsing this
 * kernel's BTF, decoding a record, resolving CO-RE relocations, and the web app's path from an
 * events frame to the table's rows. These were printed by unit tests before (issue 17: a test that
 * asserts nothing about time has no business timing, and a timed loop under CI load can time out).
 */
export function inProcessFigure(o: { runs: number }): Table {
  try {
    return { title: 'Figure 8 — in-process costs (one core, no agent, no browser)', ...measure(o.runs) };
  } finally {
    removeCompiled();
  }
}

function measure(runs: number): Omit<Table, 'title'> {
  const rows: string[][] = [];
  const time = (f: () => void) => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };

  // BTF: vmlinux parsed, then its name index built by the first lookup.
  const vmlinuxBytes = requireKernelBtf();
  const parse: number[] = [];
  const index: number[] = [];
  let types = 0;
  for (let i = 0; i < runs; i++) {
    let btf!: Btf;
    parse.push(time(() => (btf = Btf.parse(vmlinuxBytes, { name: 'vmlinux' }))));
    index.push(time(() => btf.findByName('task_struct')));
    types = btf.typeCount - 1;
  }
  rows.push([`parse vmlinux BTF (${vmlinuxBytes.length} bytes, ${types} types)`, spread(parse, ms), '']);
  rows.push(['name index of vmlinux (first findByName)', spread(index, ms), '']);

  // decodeValue of the every-kind record packages/btf's tests use (golden there).
  const obj = openObjectSpec(compileBpf('record.bpf.c').bytes, 'record.bpf.o');
  const btf = obj.btf!;
  const sec = btf.find('.data', 'datasec');
  const vs = sec?.vars.find((v) => btf.nameOf(v.type) === 'rec');
  const v = vs && btf.type(vs.type);
  if (!vs || v?.kind !== 'var') throw new Error('record.bpf.o: no variable rec in .data');
  const bytes = obj.elf.section('.data')!.data.subarray(vs.offset, vs.offset + vs.size);
  const n = 20_000;
  const decode: number[] = [];
  for (let i = 0; i < runs; i++)
    decode.push(
      time(() => {
        for (let k = 0; k < n; k++) decodeValue(btf, v.type, bytes);
      }),
    );
  const fields = fieldsOf(btf, v.type).length;
  rows.push([
    `decodeValue, struct record (${bytes.length} bytes, ${fields} fields) × ${n}`,
    spread(decode, ms),
    rate(n / (median(decode) / 1000)),
  ]);

  // CO-RE: the first resolution builds vmlinux's name indexes, a second one reuses them.
  const core = openObjectSpec(compileBpf('core.bpf.c').bytes, 'core.bpf.o');
  const vmlinux = Btf.parse(vmlinuxBytes, { name: 'vmlinux' });
  let relocs = 0;
  const first = time(() => (relocs = resolveCoreRelocations(core, [{ name: 'this kernel', btf: vmlinux }]).length));
  const again: number[] = [];
  for (let i = 0; i < runs; i++)
    again.push(time(() => resolveCoreRelocations(core, [{ name: 'this kernel', btf: vmlinux }])));
  rows.push([`CO-RE: ${relocs} relocations of core.bpf.o, first (builds indexes)`, ms(first), '']);
  rows.push([`CO-RE: the same again`, spread(again, ms), '']);

  // Web: 59 JSON events frames of 1700 records (100k records/s at ~60 frames/s) checked,
  // formatted into row batches (Inbox) and folded into the store (AgentStore.rows).
  const fold: number[] = [];
  const perFrame = 1700;
  const frames = 59;
  for (let i = 0; i < runs; i++) {
    const store = new AgentStore(
      () => {},
      () => 0,
    );
    const run = store.startRun({ files: [{ name: 'a.bpf.c', content: '' }] }, {});
    if (run.type !== 'run') throw new Error('expected a run message');
    const raws = Array.from({ length: frames }, (_, seq) => JSON.stringify(eventsFrame(run.runId, perFrame, seq)));
    const inbox = new Inbox();
    fold.push(
      time(() => {
        for (const raw of raws) {
          inbox.frame(raw);
          for (const d of inbox.take()!.output.items) if (d.kind === 'rows') store.rows(d.batch);
        }
      }),
    );
    if (store.streams.eventsReceived !== frames * perFrame)
      throw new Error(`the store folded ${store.streams.eventsReceived} records, expected ${frames * perFrame}`);
  }
  rows.push([
    `web: check + format + fold ${frames * perFrame} records (${frames} JSON frames)`,
    spread(fold, ms),
    rate((frames * perFrame) / (median(fold) / 1000)),
  ]);

  return {
    head: ['measurement', 'time, median (min–max, n)', 'records/s'],
    rows,
    notes: [
      'one process, one core, nothing else in it; the first of each row includes JIT warm-up',
      'web rows: the page-side path without React or the socket worker (apps/web/src/state/inbox.ts, agentStore.ts)',
    ],
  };
}
