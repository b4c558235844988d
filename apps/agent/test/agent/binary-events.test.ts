import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRecord, type ServerMessage, type ServerMessageOf, type Value } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { ofType, runCli, writeSnippet } from '../harness/cli.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { floodProgram, producedCount } from '../abuse/flood.js';
import { uniqueName } from '../harness/kernel.js';

/**
 * Binary events (RunOptions.eventFormat 'binary', `bpfplay run --binary`) on the real kernel: the
 * same records as the JSON form, decoded by the client with the protocol's decoder, with the same
 * exact accounting (produced = delivered + dropped) under a flood.
 */
const agent = useSharedAgent();

/** A copy of /bin/true: its exec is the trigger, recognised by its comm, so no other process counts. */
const work = mkdtempSync(join(tmpdir(), 'bpfplay-binary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const TRIGGER = join(work, 'bpfplay_trig');
copyFileSync('/bin/true', TRIGGER);

/**
 * The btf package's "every BTF kind" record (bitfields, enums, anonymous members, nested arrays,
 * big integers...), sent once per exec of the trigger binary, through a ring buffer and a perf buffer.
 */
const everyKind = `${readFileSync(join(import.meta.dirname, '../../../../packages/btf/test/fixtures/record.bpf.c'), 'utf8')}
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf_records SEC(".maps") __attribute__((btf_decl_tag("bpfplay.record:struct record")));

SEC("tp/sched/sched_process_exec")
int ${uniqueName('bin')}(void *ctx)
{
	const char want[] = "bpfplay_trig";
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < sizeof(want); i++)
		if (comm[i] != want[i])
			return 0;
	bpf_ringbuf_output(&records, &rec, sizeof(rec), 0);
	bpf_perf_event_output(ctx, &perf_records, BPF_F_CURRENT_CPU, &rec, sizeof(rec));
	return 0;
}
`;
const TRIGGERS = 5;

interface Delivered {
  values: Value[];
  /** The perf buffer's records: value and cpu. */
  perf: { cpu: number | undefined; value: Value }[];
  schema: ServerMessageOf<'schema'>;
  stopped: ServerMessageOf<'stopped'>;
  client: TestClient;
}

/** Run the every-kind program, exec the trigger TRIGGERS times, and collect the records (decoded, for binary). */
async function runEveryKind(options: Record<string, unknown>): Promise<Delivered> {
  const c = connect(agent.wsUrl, { token: agent.token });
  try {
    c.send({
      type: 'run',
      runId: 'r',
      snippet: { files: [{ name: 'every.bpf.c', content: everyKind }] },
      options: { durationSec: 30, ...options },
    });
    await c.waitFor((m) => m.type === 'status' && m.state === 'running');
    for (let i = 0; i < TRIGGERS; i++) execFileSync(TRIGGER);
    const deadline = Date.now() + 20_000;
    const count = () =>
      c.binary.reduce((n, f) => n + f.header.count, 0) +
      ofType(c.messages, 'events').reduce((n, f) => n + f.records.length, 0);
    // Each trigger makes two records: one in the ring, one in the perf buffer.
    while (count() < 2 * TRIGGERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    c.send({ type: 'stop', runId: 'r' });
    const stopped = await c.waitFor((m): m is ServerMessageOf<'stopped'> => m.type === 'stopped');
    const schema = ofType(c.messages, 'schema').find((s) => s.source === 'records');
    if (!schema)
      throw new Error(`no schema frame for the records ring; got ${c.messages.map((m) => m.type).join(', ')}`);
    const values = [
      ...ofType(c.messages, 'events')
        .filter((f) => f.source === 'records')
        .flatMap((f) => f.records.map((r) => r.value)),
      ...c.binary
        .filter((f) => f.header.source === 'records')
        .flatMap((f) => f.records.map((b) => decodeRecord(schema.layout, b))),
    ];
    const perfSchema = ofType(c.messages, 'schema').find((s) => s.source === 'perf_records');
    const perf = [
      ...ofType(c.messages, 'events')
        .filter((f) => f.source === 'perf_records')
        .flatMap((f) => f.records.map((r) => ({ cpu: r.cpu, value: r.value }))),
      ...c.binary
        .filter((f) => f.header.source === 'perf_records')
        .flatMap((f) =>
          f.records.map((b, i) => ({ cpu: f.header.cpus?.[i], value: decodeRecord(perfSchema?.layout, b) })),
        ),
    ];
    return { values, perf, schema, stopped, client: c };
  } finally {
    c.close();
  }
}

/** One getppid(2) per call: Node reads process.ppid from the kernel each time. */
const getppid = () => process.ppid;
const withoutSeq = ({ seq: _seq, ...rest }: ServerMessage) => rest;

describe('binary events over the WebSocket', () => {
  it('deliver the same records as JSON, decoded with the schema layout, with exact counts', async () => {
    const json = await runEveryKind({});
    const bin = await runEveryKind({ eventFormat: 'binary' });
    expect(json.values).toHaveLength(TRIGGERS);
    expect(bin.values).toEqual(json.values);
    // Perf buffer records too, each with the CPU it came from.
    expect(json.perf).toHaveLength(TRIGGERS);
    expect(json.perf.every((r) => typeof r.cpu === 'number')).toBe(true);
    expect(bin.perf.map((r) => r.value)).toEqual(json.values);
    expect(bin.perf.every((r) => typeof r.cpu === 'number')).toBe(true);
    expect(bin.stopped.stats).toEqual({ events: 2 * TRIGGERS, printk: 0, dropped: 0 });
    expect(json.stopped.stats).toEqual(bin.stopped.stats);
    // Binary mode sends no JSON events; its schema is JSON mode's plus the layout.
    expect(ofType(bin.client.messages, 'events')).toEqual([]);
    expect(bin.schema.layout?.typeName).toBe('struct record');
    const { layout: _layout, ...schemaWithoutLayout } = bin.schema;
    expect(withoutSeq(schemaWithoutLayout as ServerMessage)).toEqual(withoutSeq(json.schema));
    expect(json.schema.layout).toBeUndefined();
    // One sequence over text and binary frames: every seq once, none missing.
    const seqs = [...bin.client.messages.map((m) => m.seq), ...bin.client.binary.map((f) => f.header.seq)].sort(
      (a, b) => a - b,
    );
    expect(seqs).toEqual(seqs.map((_, i) => i));
    for (const f of bin.client.binary)
      expect(f.header).toMatchObject({ type: 'events', runId: 'r', count: f.records.length });
  });

  it('drops are still counted exactly under a flood: produced = delivered + dropped = stats', async () => {
    const c = connect(agent.wsUrl, { token: agent.token });
    try {
      const name = uniqueName('binflood');
      c.send({
        type: 'run',
        runId: 'f',
        snippet: { files: [{ name: 'flood.bpf.c', content: floodProgram(name, { perCall: 256 }) }] },
        options: { durationSec: 30, eventFormat: 'binary' },
      });
      await c.waitFor((m) => m.type === 'status' && m.state === 'running');
      // ~1.5 s of syscalls from here: far over the agent's default 200 000 records/s.
      const end = Date.now() + 1500;
      while (Date.now() < end) for (let i = 0; i < 1000; i++) getppid();
      c.send({ type: 'stop', runId: 'f' });
      const stopped = await c.waitFor((m): m is ServerMessageOf<'stopped'> => m.type === 'stopped');
      const delivered = c.binary.reduce((n, f) => n + f.header.count, 0);
      const dropped = c.binary.reduce((n, f) => n + f.header.dropped, 0);
      const produced = producedCount(c.messages as never);
      console.log(
        `binary flood: produced ${produced}, delivered ${delivered}, dropped ${dropped}, ${c.binary.length} frames`,
      );
      expect(c.binary.every((f) => f.records.every((r) => r.length === 16))).toBe(true);
      expect(ofType(c.messages, 'events').filter((f) => f.source === 'flood')).toEqual([]);
      expect(dropped).toBeGreaterThan(0);
      expect(delivered).toBeGreaterThan(0);
      expect(delivered + dropped).toBe(produced);
      expect(stopped.stats).toEqual({ events: delivered, printk: 0, dropped });
    } finally {
      c.close();
    }
  });
});

describe('bpfplay run --binary', () => {
  it('prints the same --json lines as without it (events decoded by the CLI)', async () => {
    const files = writeSnippet({ 'every.bpf.c': everyKind });
    const trigger = ['--trigger', `for i in $(seq ${TRIGGERS}); do ${TRIGGER}; done`, '--duration', '2'];
    const json = await runCli(files, trigger, agent);
    const bin = await runCli(files, [...trigger, '--binary'], agent);
    expect(bin.code, bin.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    const events = (r: typeof json) => ofType(r.messages, 'events').filter((f) => f.source === 'records');
    const records = (r: typeof json) => events(r).flatMap((f) => f.records.map((x) => x.value));
    expect(records(json)).toHaveLength(TRIGGERS);
    expect(records(bin)).toEqual(records(json));
    // The same lines: events with the same keys in the same order, the schema without the layout.
    const lines = (r: typeof json, type: string) =>
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.type === type && l.source === 'records');
    const keys = (r: typeof json) => [
      ...new Set(
        lines(r, 'events').map(
          (l) =>
            `${Object.keys(l).join()} / ${[...new Set((l.records as object[]).map((x) => Object.keys(x).join()))].join(' ')}`,
        ),
      ),
    ];
    expect(keys(bin)).toEqual(keys(json));
    const noSeq = (l: Record<string, unknown>) => ({ ...l, seq: 0, runId: '' });
    expect(lines(bin, 'schema').map(noSeq)).toEqual(lines(json, 'schema').map(noSeq));
    expect(ofType(bin.messages, 'stopped')[0]?.stats).toEqual({ events: 2 * TRIGGERS, printk: 0, dropped: 0 });
    const perf = (r: typeof json) =>
      ofType(r.messages, 'events')
        .filter((f) => f.source === 'perf_records')
        .flatMap((f) => f.records.map((x) => [typeof x.cpu, x.value]));
    expect(perf(bin)).toEqual(perf(json));
  });
});
