/**
 * The load scenario: N sessions each compiling (for real: every snippet is unique) and running a
 * gallery example, one session flooding with a program that emits on every syscall, and one probe
 * session measuring ping round trips, all on one agent. Returns the figures the suite prints.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentProcess } from '../harness/agent-process.js';
import { REPO } from '../harness/agent-process.js';
import { connect, type TestClient } from '../harness/ws-client.js';
import { until } from '../harness/wait.js';
import { percentile, programsHeldByAgent, runOnce, watchMemory, type RunOutcome } from './driver.js';
import { floodProgram } from './flood.js';
import { FuzzConnection } from './fuzz.js';

/** Examples that stream on their own while the machine execs, opens and exits (the trigger loop). */
export const LOAD_EXAMPLES = ['hello', 'execsnoop', 'syscount', 'opensnoop', 'exitsnoop'];

function exampleFiles(name: string, unique: string): Record<string, string> {
  const dir = join(REPO, 'bpf', name);
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((x) => /\.(c|h)$/.test(x))) files[f] = readFileSync(join(dir, f), 'utf8');
  // A comment makes the object cache miss, so every session pays for a real compile.
  files[`${name}.bpf.c`] = `/* load ${unique} */\n${files[`${name}.bpf.c`]}`;
  return files;
}

export interface LoadFigures {
  sessions: number;
  sessionsOk: number;
  failures: string[];
  /** Run sent → `running`: queue + compile + load + attach, ms. */
  toRunning: { p50: number; p95: number; max: number };
  compileMs: { p50: number; p95: number };
  loadMs: { p50: number; p95: number };
  /** Records and printk lines delivered to the example sessions, and map snapshots. */
  delivered: { events: number; printk: number; mapFrames: number; dropped: number };
  flood?: {
    produced: number;
    delivered: number;
    dropped: number;
    exact: boolean;
    stats: { events: number; dropped: number };
    end: string;
    snapshots: number;
  };
  ping: { n: number; p50: number; p95: number; max: number; lost: number };
  memory: { agentPeak: number; treePeak: number };
  programsLeft: number[];
  wallMs: number;
}

/** A light client for the flooding session: counts records without validating every frame. */
class FloodClient {
  readonly conn: FuzzConnection;
  delivered = 0;
  dropped = 0;
  produced?: number;
  snapshots = 0;
  stopped?: { reason: string; message: string; stats: { events: number; printk: number; dropped: number } };
  running = false;

  constructor(agent: AgentProcess, name: string) {
    this.conn = new FuzzConnection(agent.wsUrl, agent.token);
    this.conn.onFrame = (raw) => {
      // Only frames of the flood run matter; the cheap prefix test keeps parsing off the hot path.
      const f = JSON.parse(raw) as Record<string, unknown>;
      if (f.type === 'events') {
        this.delivered += (f.records as unknown[]).length;
        this.dropped += f.dropped as number;
      } else if (f.type === 'maps') {
        const m = (f.maps as { name: string; entries: { value: unknown }[] }[]).find((x) => x.name === 'produced');
        const v = m?.entries[0]?.value;
        if (v !== undefined) this.produced = Number(v);
        this.snapshots++;
      } else if (f.type === 'status' && f.state === 'running') this.running = true;
      else if (f.type === 'stopped') this.stopped = f as never;
    };
    void this.conn.opened.then(() =>
      this.conn.sendRaw(
        JSON.stringify({
          type: 'run',
          runId: 'flood',
          snippet: { files: [{ name: 'flood.bpf.c', content: floodProgram(name) }] },
          options: { durationSec: 600, mapIntervalMs: 1000 },
        }),
        false,
      ),
    );
  }

  stop(): void {
    this.conn.sendRaw(JSON.stringify({ type: 'stop', runId: 'flood' }), false);
  }
}

export async function loadScenario(
  agent: AgentProcess,
  opts: { sessions: number; runSeconds: number; flood: boolean; floodName: string; log?: (l: string) => void },
): Promise<LoadFigures> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const memory = watchMemory(agent.child.pid!);
  // Something for the examples to see: execs, opens and exits, a few dozen a second.
  const trigger = spawn('sh', ['-c', 'while :; do /bin/true; cat /etc/hostname > /dev/null; sleep 0.05; done'], {
    stdio: 'ignore',
  });

  const flood = opts.flood ? new FloodClient(agent, opts.floodName) : undefined;
  if (flood) {
    await until('the flooding run starts', () => flood.running || flood.stopped !== undefined, 60_000);
    if (!flood.running) throw new Error(`the flooding run did not start: ${JSON.stringify(flood.stopped)}`);
    log('flood running');
  }

  // The probe: a ping every 100 ms while the load runs.
  const probe = connect(agent.wsUrl, { token: agent.token });
  const rtts: number[] = [];
  let lost = 0;
  let probing = true;
  const pinger = (async () => {
    await probe.waitFor((m) => m.type === 'hello');
    for (let i = 0; probing; i++) {
      const sent = performance.now();
      probe.send({ type: 'ping', t: i });
      try {
        await probe.waitFor((m) => m.type === 'pong' && m.t === i, 10_000);
        rtts.push(performance.now() - sent);
      } catch {
        lost++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const clients: TestClient[] = [];
  const outcomes = await Promise.all(
    Array.from({ length: opts.sessions }, async (_, i): Promise<RunOutcome> => {
      const c = connect(agent.wsUrl, { token: agent.token });
      clients.push(c);
      const example = LOAD_EXAMPLES[i % LOAD_EXAMPLES.length]!;
      const o = await runOnce(c, `load${i}`, exampleFiles(example, `${i}-${Math.random()}`), {
        options: { durationSec: opts.runSeconds, mapIntervalMs: 500 },
        timeoutMs: 300_000,
      });
      log(`session ${i} (${example}): ${o.stopped?.reason ?? o.error?.message} after ${Math.round(o.totalMs)} ms`);
      return o;
    }),
  );

  probing = false;
  await pinger;
  if (flood) {
    flood.stop();
    await until('the flooding run stops', () => flood.stopped !== undefined, 30_000);
  }
  trigger.kill('SIGKILL');
  for (const c of [...clients, probe]) c.close();
  flood?.conn.close();
  const mem = memory.stop();

  const failures: string[] = [];
  const toRunning: number[] = [];
  const compileMs: number[] = [];
  const loadMs: number[] = [];
  const delivered = { events: 0, printk: 0, mapFrames: 0, dropped: 0 };
  outcomes.forEach((o, i) => {
    const name = `session ${i} (${LOAD_EXAMPLES[i % LOAD_EXAMPLES.length]})`;
    let events = 0;
    let printk = 0;
    let maps = 0;
    for (const m of o.messages) {
      if (m.type === 'events') {
        events += m.records.length;
        delivered.dropped += m.dropped;
      } else if (m.type === 'printk') {
        printk += m.lines.length;
        delivered.dropped += m.dropped;
      } else if (m.type === 'maps') maps++;
      else if (m.type === 'loaded') loadMs.push(m.durationMs);
    }
    delivered.events += events;
    delivered.printk += printk;
    delivered.mapFrames += maps;
    if (o.compiled) compileMs.push(o.compiled.durationMs);
    if (o.toRunningMs !== undefined) toRunning.push(o.toRunningMs);
    if (o.stopped?.reason !== 'timeout')
      failures.push(
        `${name}: ${o.stopped ? `${o.stopped.reason}: ${o.stopped.message}` : (o.error?.message ?? 'no answer')}`,
      );
    else if (events + printk === 0 && maps === 0) failures.push(`${name}: ran but streamed nothing`);
  });

  const floodFigures = flood
    ? {
        produced: flood.produced ?? -1,
        delivered: flood.delivered,
        dropped: flood.dropped,
        exact: flood.produced === flood.delivered + flood.dropped,
        stats: { events: flood.stopped?.stats.events ?? -1, dropped: flood.stopped?.stats.dropped ?? -1 },
        end: `${flood.stopped?.reason}: ${flood.stopped?.message}`,
        snapshots: flood.snapshots,
      }
    : undefined;
  return {
    sessions: opts.sessions,
    sessionsOk: opts.sessions - failures.length,
    failures,
    toRunning: { p50: percentile(toRunning, 50), p95: percentile(toRunning, 95), max: Math.max(...toRunning) },
    compileMs: { p50: percentile(compileMs, 50), p95: percentile(compileMs, 95) },
    loadMs: { p50: percentile(loadMs, 50), p95: percentile(loadMs, 95) },
    delivered,
    ...(floodFigures ? { flood: floodFigures } : {}),
    ping: { n: rtts.length, p50: percentile(rtts, 50), p95: percentile(rtts, 95), max: Math.max(0, ...rtts), lost },
    memory: { agentPeak: mem.agentPeak, treePeak: mem.treePeak },
    programsLeft: await programsHeldByAgent(agent.child.pid!),
    wallMs: performance.now() - t0,
  };
}
