import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRecord, type RecordLayout, type ServerMessageOf, type Value } from '@bpfplay/protocol';
import { cpuBetween, cpuSeconds, treeCpu, type BenchAgent } from './agent.js';
import { BENCH, compileObject } from './build.js';
import { BenchClient } from './client.js';
import { sleep, startLines } from './procs.js';
import { median, rate, ratio, spread } from './stats.js';
import type { Table } from './table.js';

/**
 * Figure 2: records per second from one ring buffer, (a) read by a C program on libbpf's
 * ring_buffer API, (b) read by the agent and delivered to a WebSocket client that counts them.
 * The producer (bpf/burst.bpf.c) writes `burst` records per getppid() of the trigger process, paced
 * at `triggersPerSec` (0 = as fast as it can), and counts what it wrote and what the full ring
 * refused, so delivered + dropped can be checked against what was really produced.
 */
export interface ThroughputOptions {
  runs: number;
  seconds: number;
  burst: number;
  /** Offered loads, in getppid() calls a second (× burst = records a second); 0 = unpaced. */
  triggersPerSec: number[];
  trigger: string;
  consumer: string;
}

interface Trial {
  delivered: number;
  written: number;
  refused: number;
  /** Dropped by the consumer and reported as such (the agent's rate limit or backpressure). */
  reportedDropped: number;
  /** Delivered records per second, between the first and the last batch that carried any. */
  perSec: number;
  /** written − delivered − reportedDropped: must be 0. */
  unaccounted: number;
  /** CPU time of the consuming side per delivered record, µs (native: the consumer; agent: agent, runner and client). */
  cpuUs: number;
  /** Agent side only: the same split by process (runner, agent, client), µs per delivered record. */
  split?: [number, number, number];
}

/**
 * How the agent sends and the client takes the records, the two forms there are: JSON record
 * objects (the default, what `--json` and scripts read), binary frames counted after the
 * protocol's parser split them, or binary frames with every record also decoded by the protocol's
 * decodeRecord (what a client showing them pays).
 */
export type EventForm = 'records' | 'binary' | 'binary-decoded';

const LABEL: Record<EventForm, string> = {
  records: '(b) agent, record objects (default)',
  binary: "(b'') agent, binary frames (eventFormat binary), counted",
  'binary-decoded': "(b'') agent, binary frames, each record decoded (decodeRecord)",
};

const SOURCE = readFileSync(join(BENCH, 'bpf/burst.bpf.c'), 'utf8');

async function nativeTrial(o: ThroughputOptions, objPath: string, triggers: number): Promise<Trial> {
  const trig = startLines(o.trigger, ['getppid', String(triggers), String(o.seconds)]);
  const cons = startLines(o.consumer, [objPath, String(trig.pid), String(o.burst)]);
  try {
    await cons.line((l) => l === 'ready');
    const cpu0 = cpuSeconds(cons.pid);
    trig.child.stdin!.write('go\n');
    await trig.line((l) => l.startsWith('{'), o.seconds * 1000 + 30_000);
    // The consumer keeps reading until told to stop; give it time to catch up on the ring.
    await sleep(300);
    const cpu = cpuSeconds(cons.pid) - cpu0;
    cons.child.kill('SIGTERM');
    const r = JSON.parse(await cons.line((l) => l.startsWith('{'))) as {
      delivered: number;
      written: number;
      refused: number;
      firstNs: number;
      lastNs: number;
    };
    const secs = (r.lastNs - r.firstNs) / 1e9;
    return {
      delivered: r.delivered,
      written: r.written,
      refused: r.refused,
      reportedDropped: 0,
      perSec: secs > 0 ? r.delivered / secs : NaN,
      unaccounted: r.written - r.delivered,
      cpuUs: (cpu / r.delivered) * 1e6,
    };
  } finally {
    trig.child.kill('SIGKILL');
    cons.child.kill('SIGKILL');
  }
}

function countsFrom(maps: ServerMessageOf<'maps'> | undefined): { written: number; refused: number } {
  const counts = maps?.maps.find((m) => m.name === 'counts');
  const at = (k: number) => Number(counts?.entries.find((e) => e.key === k)?.value ?? NaN);
  return { written: at(0), refused: at(1) };
}

async function agentTrial(
  o: ThroughputOptions,
  agent: BenchAgent,
  triggers: number,
  n: number,
  form: EventForm,
): Promise<Trial> {
  const client = await BenchClient.open(agent.wsUrl, agent.token, { validate: false });
  const trig = startLines(o.trigger, ['getppid', String(triggers), String(o.seconds)]);
  try {
    let delivered = 0;
    let dropped = 0;
    let first = NaN;
    let last = NaN;
    let lastMaps: ServerMessageOf<'maps'> | undefined;
    let layout: RecordLayout | undefined;
    /** Kept so the decoding cannot be optimised away. */
    let sink: Value = null;
    let running!: () => void;
    const isRunning = new Promise<void>((r) => (running = r));
    const runId = `tput-${n}-${Date.now().toString(36)}`;
    const { stopped } = client.run(
      runId,
      { files: [{ name: 'burst.bpf.c', content: SOURCE }] },
      {
        durationSec: o.seconds + 60,
        params: { trigger_tgid: trig.pid, burst: o.burst },
        mapIntervalMs: 1000,
        ...(form.startsWith('binary') ? { eventFormat: 'binary' as const } : {}),
      },
      (m, at) => {
        if (m.type === 'events') {
          const n = m.records.length;
          if (n) {
            delivered += n;
            if (Number.isNaN(first)) first = at;
            last = at;
          }
          dropped += m.dropped;
        } else if (m.type === 'maps') lastMaps = m;
        else if (m.type === 'schema') layout = m.layout;
        else if (m.type === 'status' && m.state === 'running') running();
      },
      (f, at) => {
        if (f.header.count) {
          delivered += f.header.count;
          if (Number.isNaN(first)) first = at;
          last = at;
        }
        dropped += f.header.dropped;
        if (form === 'binary-decoded') for (const r of f.records) sink = decodeRecord(layout, r);
      },
    );
    await Promise.race([isRunning, stopped.then((s) => Promise.reject(new Error(`run stopped: ${s.message}`)))]);
    const agentCpu0 = treeCpu(agent.child.pid!);
    const clientCpu0 = process.cpuUsage();
    trig.child.stdin!.write('go\n');
    await trig.line((l) => l.startsWith('{'), o.seconds * 1000 + 30_000);
    // Wait until the stream goes quiet (the agent caught up), then stop: the final drain and map
    // snapshot come before `stopped`.
    for (let seen = -1; seen !== delivered + dropped;) {
      seen = delivered + dropped;
      await sleep(500);
    }
    const clientCpu = process.cpuUsage(clientCpu0);
    const agentCpu1 = treeCpu(agent.child.pid!);
    const agentOnly = (agentCpu1.get(agent.child.pid!) ?? NaN) - (agentCpu0.get(agent.child.pid!) ?? NaN);
    const tree = cpuBetween(agentCpu0, agentCpu1);
    const clientSec = (clientCpu.user + clientCpu.system) / 1e6;
    const cpu = tree + clientSec;
    const per = (x: number) => (x / delivered) * 1e6;
    client.stop(runId);
    const s = await stopped;
    const { written, refused } = countsFrom(lastMaps);
    if (s.stats.events !== delivered || s.stats.dropped !== dropped) {
      console.warn(
        `agent stats (${s.stats.events} sent, ${s.stats.dropped} dropped) differ from what the client received (${delivered}, ${dropped})`,
      );
    }
    if (form === 'binary-decoded' && delivered && (sink === null || typeof sink !== 'object'))
      console.warn('binary-decoded: the last record did not decode to an object');
    const secs = (last - first) / 1000;
    return {
      delivered,
      written,
      refused,
      reportedDropped: dropped,
      perSec: secs > 0 ? delivered / secs : NaN,
      unaccounted: written - delivered - dropped,
      cpuUs: per(cpu),
      split: [per(tree - agentOnly), per(agentOnly), per(clientSec)],
    };
  } finally {
    trig.child.kill('SIGKILL');
    client.close();
  }
}

const offered = (o: ThroughputOptions, t: number) => (t === 0 ? 'unpaced' : rate(t * o.burst));

const pct = (ts: Trial[]) => `${median(ts.map((x) => (x.refused / (x.written + x.refused)) * 100)).toFixed(1)}%`;

export async function throughputFigure(
  o: ThroughputOptions & { formats: EventForm[] },
  agent: BenchAgent,
  limits: { label: string; detail: string },
): Promise<Table> {
  const obj = await compileObject('burst.bpf.c', SOURCE);
  const rows: string[][] = [];
  for (const t of o.triggersPerSec) {
    const nat: Trial[] = [];
    const agt = new Map(o.formats.map((f) => [f, [] as Trial[]]));
    for (let i = 0; i < o.runs; i++) {
      // Interleaved, so a burst of load from someone else hits every consumer alike.
      nat.push(await nativeTrial(o, obj.path, t));
      for (const f of o.formats) agt.get(f)!.push(await agentTrial(o, agent, t, i, f));
      process.stderr.write('.');
    }
    const ref = median(nat.map((x) => x.perSec));
    const worst = (ts: Trial[]) => String(Math.max(...ts.map((x) => Math.abs(x.unaccounted))));
    rows.push([
      offered(o, t),
      '(a) native libbpf consumer',
      spread(
        nat.map((x) => x.perSec),
        rate,
      ),
      '1.00×',
      pct(nat),
      '0',
      worst(nat),
      median(nat.map((x) => x.cpuUs)).toFixed(2),
    ]);
    for (const [f, ts] of agt) {
      rows.push([
        '',
        LABEL[f],
        spread(
          ts.map((x) => x.perSec),
          rate,
        ),
        ratio(median(ts.map((x) => x.perSec)), ref),
        pct(ts),
        median(ts.map((x) => x.reportedDropped)).toFixed(0),
        worst(ts),
        `${median(ts.map((x) => x.cpuUs)).toFixed(2)} = ${[0, 1, 2].map((k) => median(ts.map((x) => x.split![k]!)).toFixed(2)).join(' + ')}`,
      ]);
    }
  }
  process.stderr.write('\n');
  return {
    title: `Figure 2 — event throughput, ${limits.label}: native libbpf ring_buffer consumer vs agent → WebSocket client`,
    head: [
      'offered',
      'consumer',
      'delivered/s',
      'vs native',
      'refused by full ring',
      'agent-reported drops',
      'unaccounted (worst)',
      'CPU µs per delivered record (runner + agent + client)',
    ],
    rows,
    notes: [
      `producer: bpf/burst.bpf.c, ${o.burst} records of 40 bytes per getppid() of the trigger (bpf_loop), 16 MiB ring; ${o.seconds} s per trial, ${o.runs} trials per consumer, interleaved`,
      `agent started with ${limits.detail}; its client JSON-parses every frame and counts records (no zod validation)`,
      ...(o.formats.some((f) => f.startsWith('binary'))
        ? [
            "binary frames: the client splits each with the protocol's parseBinaryEvents (header JSON checked with zod, every record length checked) and counts; 'decoded' also turns every record into its value with decodeRecord and the schema frame's layout",
          ]
        : []),
      'refused: records the full ring turned away (counted by the program itself: the consumer was behind)',
      'unaccounted = written − delivered − reported dropped, worst trial; must be 0',
      'CPU per record: the native consumer process; for the agent, its runner process + the agent process + the WebSocket client (receive and JSON.parse, or parseBinaryEvents [+ decodeRecord]), from /proc and process.cpuUsage — steadier than the rates on a shared machine',
      `same object for both: sha256 ${obj.sha256.slice(0, 16)}… (the agent compiles the same source with the same flags)`,
    ],
  };
}
