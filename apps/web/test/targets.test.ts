import { describe, expect, it } from 'vitest';
import type { CoreRelocation, ServerMessage, ServerMessageOf } from '@bpfplay/protocol';
import { AgentStore } from '../src/state/agentStore';
import { Inbox } from '../src/state/inbox';
import { cellText } from '../src/state/rowBatch';
import { runRequest } from '../src/state/runRequest';
import {
  differenceCounts,
  pickedRunTargets,
  relocationRows,
  runTargetChoices,
  runTargetsOption,
  toggleRunTarget,
  verifierSummary,
} from '../src/state/targets';
import { DEFAULT_SETTINGS, type Workspace } from '../src/state/workspace';
import { hello } from './fixtures';

/** An agent with the kernel matrix: host plus two Debian kernels in microVMs. */
const matrixHello: ServerMessageOf<'hello'> = {
  ...hello,
  capabilities: {
    ...hello.capabilities,
    runTargets: ['host', '5.10', '6.1'],
    kernels: ['5.10', '6.1'].map((name) => ({
      name,
      release: `${name}.0-cloud-amd64`,
      source: `linux-image-${name}`,
      highlights: {
        btf: true,
        kprobes: name === '6.1',
        fentry: name === '6.1',
        ringbuf: true,
        lsm: true,
        uprobes: true,
      },
      attach: [{ kind: 'kprobe', supported: name === '6.1' }],
      accel: 'tcg',
    })),
    guestAccel: { accel: 'tcg', why: 'TCG (KVM probe: no /dev/kvm on this machine)' },
  },
};

const ws = (runTargets?: string[]): Workspace => ({
  version: 3,
  settings: DEFAULT_SETTINGS,
  snippet: {
    files: [{ name: 'p.bpf.c', content: 'int x;' }],
    active: 'p.bpf.c',
    params: {},
    ...(runTargets ? { runTargets } : {}),
  },
});

describe('picking where a run runs', () => {
  it("offers the agent's targets, host first, each saying what it is", () => {
    expect(runTargetChoices(matrixHello).map((c) => `${c.name}: ${c.detail}`)).toEqual([
      'host: 6.18.0 (this machine)',
      '5.10: 5.10.0-cloud-amd64, microVM (tcg)',
      '6.1: 6.1.0-cloud-amd64, microVM (tcg)',
    ]);
  });

  it('ticks the host until the learner picks, and keeps picks in the agent order', () => {
    expect(pickedRunTargets(undefined, matrixHello)).toEqual(['host']);
    expect(toggleRunTarget(['6.1'], 'host', true, matrixHello.capabilities.runTargets)).toEqual(['host', '6.1']);
    expect(toggleRunTarget(['host', '6.1'], 'host', false, matrixHello.capabilities.runTargets)).toEqual(['6.1']);
    // An --isolate agent offers no host: its first kernel is ticked.
    const isolated = { ...matrixHello, capabilities: { ...matrixHello.capabilities, runTargets: ['5.10', '6.1'] } };
    expect(pickedRunTargets(undefined, isolated)).toEqual(['5.10']);
  });

  it('names the targets in the run only when they are more than the host, and only those the agent offers', () => {
    expect(runTargetsOption(['host'], matrixHello)).toBeUndefined();
    expect(runTargetsOption(['host', '6.1', '4.19'], matrixHello)).toEqual(['host', '6.1']);
    const req = runRequest(ws(['host', '6.1']), { mode: 'run', hello: matrixHello });
    expect(req.ok && req.options.targets).toEqual(['host', '6.1']);
    const plain = runRequest(ws(), { mode: 'run', hello: matrixHello });
    expect(plain.ok && 'targets' in plain.options).toBe(false);
  });
});

describe('a run on host and 6.1, side by side', () => {
  const frames = (): ServerMessage[] => {
    let seq = 0;
    // The frames as the agent sends them, numbered in order.
    const f = (m: Record<string, unknown>) => ({ ...m, seq: seq++ }) as ServerMessage;
    return [
      f({ type: 'status', runId: 'R', state: 'compiled', t: 1 }),
      f({ type: 'status', runId: 'R', target: 'host', state: 'running', t: 2 }),
      f({ type: 'status', runId: 'R', target: '6.1', state: 'booting', t: 2, message: 'booting the 6.1 guest' }),
      f({
        type: 'verifier',
        runId: 'R',
        target: '6.1',
        program: 'p',
        ok: true,
        log: '',
        truncated: false,
        stats: { insnsProcessed: 30, totalStates: 3 },
      }),
      f({
        type: 'stopped',
        runId: 'R',
        target: 'host',
        reason: 'attach-error',
        message: 'nothing this kernel can run: kprobe (CONFIG_KPROBES is off)',
        durationMs: 5,
        stats: { events: 0, printk: 0, dropped: 0 },
      }),
      f({
        type: 'printk',
        runId: 'R',
        target: '6.1',
        lines: [{ t: 3, cpu: 0, text: 'kprobe do_sys_openat2: sh opens /etc' }],
        dropped: 0,
      }),
      f({
        type: 'events',
        runId: 'R',
        target: '6.1',
        source: 'events',
        records: [{ t: 4, value: { pid: 7, renamed: 1 } }],
        dropped: 0,
      }),
    ];
  };

  it("keeps the run going when one target ends, and labels every target's output", () => {
    const store = new AgentStore(
      () => 0,
      () => 100,
    );
    store.startRun({ files: [{ name: 'p.bpf.c', content: '' }], main: 'p.bpf.c' }, { targets: ['host', '6.1'] });
    const runId = store.run!.runId;
    const inbox = new Inbox();
    for (const m of frames()) inbox.frame(JSON.stringify({ ...m, runId }));
    for (const d of inbox.take()!.output.items) {
      if (d.kind === 'message') store.handle(d.message);
      else if (d.kind === 'rows') store.rows(d.batch);
    }
    const run = store.run!;
    expect(run.stopped, 'the host ending early does not end the run').toBeNull();
    expect(run.perTarget.host!.outcome?.reason).toBe('attach-error');
    expect(run.perTarget['6.1']!.state).toBe('booting');
    expect(verifierSummary(run.perTarget['6.1']!)).toEqual({ ok: true, programs: 1, insns: 30, states: 3 });
    // Console lines and event rows say which kernel they came from.
    expect(store.streams.printk.at(0)?.target).toBe('6.1');
    const rows = store.streams.sources.get('events')!.rows;
    const { batch, row } = rows.locate(0)!;
    expect(batch.columns).toEqual(['target', 'pid', 'renamed']);
    expect(cellText(batch, row, 0)).toBe('6.1');
    const out = store.streams.targets.get('6.1')!;
    expect([out.printk, out.events]).toEqual([1, 1]);
    expect([out.tail.at(0)?.text, out.tail.at(1)?.text]).toEqual([
      'kprobe do_sys_openat2: sh opens /etc',
      'pid=7 renamed=1',
    ]);
    expect(store.streams.targets.has('host')).toBe(false);
  });
});

describe('CO-RE relocations by target', () => {
  const relo = (access: string, values: Record<string, number | undefined>): CoreRelocation => ({
    program: 'p',
    insn: 3,
    kind: 'field_exists',
    typeName: 'task_struct',
    access,
    spec: '0:1',
    results: Object.entries(values).map(([target, value]) =>
      value === undefined ? { target, ok: false, message: 'not found' } : { target, ok: true, value },
    ),
  });
  const core = (relocations: CoreRelocation[]): ServerMessageOf<'core'> => ({
    type: 'core',
    seq: 1,
    runId: 'R',
    relocations,
  });

  it('marks the values that differ from the host, per target', () => {
    const rows = relocationRows(
      core([
        relo('task_struct::__state', { 'this kernel': 1, '5.10': 0, '6.1': 1 }),
        relo('task_struct->pid', { 'this kernel': 2496, '5.10': 2256, '6.1': 2464 }),
        relo('task_struct->comm', { 'this kernel': 3000, '5.10': 3000, '6.1': 3000 }),
      ]),
      ['host', '5.10', '6.1'],
    );
    expect(rows.map((r) => r.cells.map((c) => `${c.target}=${c.text}${c.differs ? '*' : ''}`))).toEqual([
      ['host=1', '5.10=0*', '6.1=1'],
      ['host=2496', '5.10=2256*', '6.1=2464*'],
      ['host=3000', '5.10=3000', '6.1=3000'],
    ]);
    expect(differenceCounts(rows)).toEqual({ host: 0, '5.10': 2, '6.1': 1 });
  });

  it('calls a relocation that does not resolve "fails", which differs from a value', () => {
    const rows = relocationRows(core([relo('task_struct::__state', { 'this kernel': 4, '5.10': undefined })]), [
      'host',
      '5.10',
    ]);
    expect(rows[0]!.cells[1]).toMatchObject({ text: 'fails', ok: false, differs: true });
  });
});
