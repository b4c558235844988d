import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@bpfplay/protocol';
import { useSharedAgent } from '../harness/agent-process.js';
import { uniqueName, waitNoPrograms } from '../harness/kernel.js';
import { connect } from '../harness/ws-client.js';
import { printkOnGetppid } from './programs.js';

const agent = useSharedAgent();

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Frames are paced by how full they are (runner/host-run.ts): a run whose frames carry a line or
 * two is framed every 50 ms, one whose frames fill up every frame interval (16 ms), and nothing is
 * lost either way. The program prints on every getppid() of this test process (`process.ppid`).
 */
describe('frame pacing', () => {
  it('frames a trickle of lines every 50 ms and a flood every frame interval, losing none', async () => {
    const name = uniqueName('t_pace');
    const c = connect(agent.wsUrl, { token: agent.token });
    const arrivals: { t: number; lines: number }[] = [];
    c.ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type === 'printk' && m.runId === 'pace') arrivals.push({ t: performance.now(), lines: m.lines.length });
    });
    c.send({
      type: 'run',
      runId: 'pace',
      snippet: { files: [{ name: 'p.bpf.c', content: printkOnGetppid(name, 'pace') }] },
      options: { durationSec: 30 },
    });
    await c.waitFor((m) => m.type === 'status' && m.state === 'running', 60_000);
    await sleep(300);
    let fired = 0;
    const fire = (n: number) => {
      for (let i = 0; i < n; i++) void process.ppid;
      fired += n;
    };

    /** The frames that arrive while `n` lines are printed every `everyMs` for 1.5 s (and 200 ms after). */
    const framesWhile = async (n: number, everyMs: number) => {
      const from = arrivals.length;
      for (const t0 = performance.now(); performance.now() - t0 < 1500;) {
        fire(n);
        await sleep(everyMs);
      }
      await sleep(200);
      return arrivals.slice(from);
    };
    // A trickle: one line every 20 ms (~1 per frame at 60 frames a second). A flood: 20 every 5 ms.
    const trickle = await framesWhile(1, 20);
    const flood = await framesWhile(20, 5);

    c.send({ type: 'stop', runId: 'pace' });
    const stopped = await c.waitFor((m) => m.type === 'stopped' && m.runId === 'pace');
    const gaps = (xs: { t: number }[]) => xs.slice(1).map((x, i) => x.t - xs[i]!.t);
    // ~75 frames at 60 a second before pacing; ~30 now, each with a few lines.
    expect(trickle.length, `${trickle.length} frames`).toBeLessThan(45);
    expect(median(gaps(trickle))).toBeGreaterThanOrEqual(40);
    // The flood is framed every frame interval again (16 ms; the test's own timers add jitter).
    expect(median(gaps(flood))).toBeLessThan(30);
    expect(median(flood.map((f) => f.lines))).toBeGreaterThan(8);
    // Nothing lost: every getppid() printed, every line arrived (or was counted as dropped).
    const received = arrivals.reduce((n, a) => n + a.lines, 0);
    expect(stopped.type === 'stopped' && stopped.stats.printk + stopped.stats.dropped).toBeGreaterThanOrEqual(fired);
    expect(received).toBeGreaterThanOrEqual(fired);
    c.close();
    expect(await waitNoPrograms(name)).toEqual([]);
  });
});
