import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { cpuBetween, treeCpu, type BenchAgent } from './agent.js';
import { CHROMIUM_ARGS } from '../../e2e/lib/web-app.js';
import { BENCH } from './build.js';
import { sleep, startLines } from './procs.js';
import { mib, ms, percentile } from './stats.js';
import type { Table } from './table.js';

/**
 * Figure 3: the web app's Events pane while the real agent streams ~100k records/s into it for
 * `seconds` (bpf/burst.bpf.c, paced by the trigger), in headless Chromium: frame times from
 * requestAnimationFrame deltas, long tasks, and the JS heap (CDP Performance metrics) sampled every
 * second. The reference is the same page, connected and idle, measured the same way just before.
 */
const SOURCE = readFileSync(join(BENCH, 'bpf/burst.bpf.c'), 'utf8');
const BURST = 256;

interface Window {
  deltas: number[];
  longTasks: number;
  longTaskMs: number;
  heap: number[];
  nodes: number;
}

async function metric(cdp: CDPSession, name: string): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === name)?.value ?? NaN;
}

/**
 * Runs in the page. A string, not a function: the bench runs under tsx, whose transform would
 * wrap a function's inner closures in a helper the page does not have.
 */
const IN_PAGE = `new Promise((resolve) => {
  let longTasks = 0;
  let longTaskMs = 0;
  const obs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      longTasks++;
      longTaskMs += e.duration;
    }
  });
  obs.observe({ type: 'longtask' });
  const deltas = [];
  const t0 = performance.now();
  let last = t0;
  function tick(t) {
    deltas.push(t - last);
    last = t;
    if (t - t0 < WINDOW_MS) requestAnimationFrame(tick);
    else {
      obs.disconnect();
      resolve({ deltas, longTasks, longTaskMs });
    }
  }
  requestAnimationFrame(tick);
})`;

/** rAF deltas and long tasks in the page for `seconds`, the heap sampled from outside every second. */
async function measure(page: Page, cdp: CDPSession, seconds: number): Promise<Window> {
  const heap: number[] = [await metric(cdp, 'JSHeapUsedSize')];
  const sampler = setInterval(() => void metric(cdp, 'JSHeapUsedSize').then((h) => heap.push(h)), 1000);
  try {
    const w = (await page.evaluate(IN_PAGE.replace('WINDOW_MS', String(seconds * 1000)))) as {
      deltas: number[];
      longTasks: number;
      longTaskMs: number;
    };
    return { ...w, heap, nodes: await metric(cdp, 'Nodes') };
  } finally {
    clearInterval(sampler);
  }
}

function receivedOf(text: string): number {
  const m = /([\d.,]+)([kM]?) received/.exec(text);
  if (!m) return NaN;
  return Number(m[1]!.replace(/,/g, '')) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

export async function browserFigure(
  o: { seconds: number; recordsPerSec: number; trigger: string; webUrl: string },
  agent: BenchAgent,
): Promise<Table> {
  const triggersPerSec = Math.round(o.recordsPerSec / BURST);
  const trig = startLines(o.trigger, ['getppid', String(triggersPerSec), String(o.seconds + 8)]);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${o.webUrl}/api/examples`);
    await page.evaluate(
      ({ source, params }) =>
        localStorage.setItem(
          'bpfplay:workspace',
          JSON.stringify({
            version: 2,
            snippet: { files: [{ name: 'burst.bpf.c', content: source }], active: 'burst.bpf.c', params },
            settings: {
              agentUrl: null,
              token: null,
              theme: 'dark',
              durationSec: 120,
              perfFrequency: 99,
              mapIntervalMs: 1000,
            },
          }),
        ),
      { source: SOURCE, params: { trigger_tgid: trig.pid, burst: BURST } },
    );
    const u = new URL(o.webUrl);
    u.searchParams.set('token', agent.token);
    u.searchParams.set('agent', agent.wsUrl);
    await page.goto(u.toString());
    await page.locator('[data-testid="connection"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('pane-tab-events').click();
    await sleep(1000);
    const idle = await measure(page, cdp, o.seconds);

    await page.getByTestId('run').click();
    await page.getByTestId('status').filter({ hasText: 'running' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('pane-tab-events').click();
    trig.child.stdin!.write('go\n');
    await page.getByTestId('event-row').first().waitFor({ timeout: 30_000 });
    await sleep(1000);
    const countsBefore = receivedOf(await page.getByTestId('events-counts').innerText());
    const t0 = performance.now();
    // The agent and its runner's CPU over the window, per record the page received: what the event form costs the agent.
    const agentCpu0 = treeCpu(agent.child.pid!);
    // BENCH_PAGE_PROFILE=file.cpuprofile: a CPU profile of the page's main thread while streaming.
    const profile = process.env.BENCH_PAGE_PROFILE;
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    // BENCH_PAGE_TRACE=file.json: a Chromium trace (devtools timeline: style, layout, paint, messages) while streaming.
    const trace = process.env.BENCH_PAGE_TRACE;
    if (trace)
      await browser.startTracing(page, {
        path: trace,
        categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'],
      });
    const busy = await measure(page, cdp, o.seconds);
    if (trace) await browser.stopTracing();
    if (profile)
      writeFileSync(profile, JSON.stringify(((await cdp.send('Profiler.stop')) as { profile: unknown }).profile));
    const agentCpu = cpuBetween(agentCpu0, treeCpu(agent.child.pid!));
    const windowSec = (performance.now() - t0) / 1000;
    const receivedTotal = receivedOf(await page.getByTestId('events-counts').innerText()) - countsBefore;
    const received = receivedTotal / windowSec;
    const counts = await page.getByTestId('events-counts').innerText();
    await page.getByTestId('stop').click();
    await page.getByTestId('status').filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 });

    const row = (label: string, f: (w: Window) => string, target = '') => [label, f(idle), f(busy), target];
    const over50 = (w: Window) => w.deltas.filter((d) => d > 50).length;
    return {
      title: `Figure 3 — Events pane at ~${Math.round(o.recordsPerSec / 1000)}k records/s for ${o.seconds} s, headless Chromium (real agent and kernel)`,
      head: ['measurement', 'idle page (reference)', 'streaming', 'target'],
      rows: [
        [
          'records/s received by the page',
          '0',
          `${Math.round(received).toLocaleString('en')}`,
          `~${o.recordsPerSec.toLocaleString('en')}`,
        ],
        [
          'agent + runner CPU: per record received, share of a core',
          '',
          `${((agentCpu / receivedTotal) * 1e6).toFixed(2)} µs, ${((agentCpu / windowSec) * 100).toFixed(0)} %`,
          '',
        ],
        row('frames drawn', (w) => `${w.deltas.length} (${(w.deltas.length / o.seconds).toFixed(0)}/s)`),
        row(
          'frame time p50 / p95 / p99',
          (w) => `${ms(percentile(w.deltas, 50))} / ${ms(percentile(w.deltas, 95))} / ${ms(percentile(w.deltas, 99))}`,
        ),
        row('longest frame', (w) => ms(Math.max(...w.deltas)), '< 50 ms'),
        row('frames over 50 ms', (w) => String(over50(w)), '0'),
        row('long tasks (> 50 ms): count, total', (w) => `${w.longTasks}, ${ms(w.longTaskMs)}`),
        row(
          'JS heap used: start → end (max)',
          (w) => `${mib(w.heap[0]!)} → ${mib(w.heap.at(-1)!)} (${mib(Math.max(...w.heap))})`,
          'bounded',
        ),
        row('DOM nodes at the end', (w) => String(w.nodes)),
      ],
      notes: [
        `producer: bpf/burst.bpf.c, ${BURST} records per getppid() × ${triggersPerSec}/s from the trigger; agent with its default limits; the page's own count after the run: "${counts}"`,
        `frame times are requestAnimationFrame deltas in the page; heap is CDP Performance.getMetrics JSHeapUsedSize sampled every second; chromium ${CHROMIUM_ARGS.join(' ')}`,
      ],
    };
  } finally {
    trig.child.kill('SIGKILL');
    await browser.close();
  }
}
