import { readFileSync, readdirSync } from 'node:fs';
import { setPriority, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { ServerMessageOf } from '@bpfplay/protocol';
import { DEFAULT_LIMITS } from '../../apps/agent/src/limits.js';
import type { BenchAgent } from './agent.js';
import { cpuSeconds } from './agent.js';
import { benchCompiler } from './build.js';
import { BenchClient } from './client.js';
import { BareClangd } from './fig7-bare-clangd.js';
import { sleep } from './procs.js';
import { median, mib, ms, percentile, ratio, spread } from './stats.js';
import type { Table } from './table.js';

/**
 * Figure 7: the editor's clangd. Completion after `task->` (the members of this kernel's
 * task_struct) through the agent — WebSocket, the agent's LSP channel, clangd in the compile
 * sandbox — beside a bare clangd on the same file spoken to directly over stdio. Each warm
 * completion follows an edit (a space typed and removed), as when typing; memory is the resident
 * size of one clangd holding the file.
 *
 * The warm completions of both sides are interleaved (agent, bare, agent, bare...) once every
 * clangd is idle, so both see the same load from whoever else shares the machine; and every
 * process on either path that the agent would run at nice 0 (the agent, its session's clangd) runs
 * at nice 0, the bare clangd too, whatever nice the bench was started with. Measured 2026-12-05 on
 * this 2-core machine: clangd answers this completion in ~9 ms of its own once it has the CPU
 * (--log=verbose: "reply:textDocument/completion 9 ms", preamble reused), and needs ~20 ms of CPU
 * per edit + completion with the diagnostics rebuild; the rest of the latency is waiting for a CPU.
 */
export interface LspOptions {
  /** Warm completions per measurement. */
  completions: number;
  /** New sessions taking the spare (after the first, cold one). */
  sessions: number;
}

const FILE = 'exec.bpf.c';
const PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp/sched/sched_process_exec")
int handle_exec(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	int pid = task->
	bpf_printk("exec %d", pid);
	return 0;
}
`;
const LINES = PROGRAM.split('\n');
const AT = { line: LINES.findIndex((l) => l.endsWith('task->')), character: '\tint pid = task->'.length };
/** The blank line the edits type on. */
const EDIT_LINE = AT.line - 1;
const hasPid = (labels: string[]) => labels.includes('pid') && labels.includes('tgid');

// ---- through the agent ----

interface AgentSession {
  client: BenchClient;
  firstMs: number;
  id: number;
  version: number;
}

async function openSession(agent: BenchAgent): Promise<AgentSession> {
  const client = await BenchClient.open(agent.wsUrl, agent.token);
  const t0 = performance.now();
  client.send({ type: 'lsp-open', snippet: { files: [{ name: FILE, content: PROGRAM }] } });
  const s: AgentSession = { client, firstMs: NaN, id: 1, version: 0 };
  const { labels, at } = await complete(s);
  if (!hasPid(labels))
    throw new Error(`first completion after task-> lacks pid/tgid: ${labels.slice(0, 10).join(', ')}`);
  s.firstMs = at - t0;
  return s;
}

async function complete(s: AgentSession): Promise<{ labels: string[]; at: number; sentAt: number }> {
  const id = s.id++;
  const answer = s.client.next((m): m is ServerMessageOf<'lsp-response'> => m.type === 'lsp-response' && m.id === id);
  const sentAt = performance.now();
  s.client.send({
    type: 'lsp-request',
    id,
    request: { method: 'completion', file: FILE, position: AT, trigger: '>' },
  });
  const { m, at } = await answer;
  if (m.error !== undefined || m.result?.method !== 'completion') throw new Error(`completion failed: ${m.error}`);
  return { labels: m.result.items.map((i) => i.label), at, sentAt };
}

/** A space typed on the blank line above, or taken away again: clangd has a new version to parse. */
function change(i: number) {
  const at = { line: EDIT_LINE, character: 0 };
  return i % 2 === 0
    ? { range: { start: at, end: at }, text: ' ' }
    : { range: { start: at, end: { line: EDIT_LINE, character: 1 } }, text: '' };
}

/** Edit i, then completion after task->: the latency of that completion. */
async function agentWarm(s: AgentSession, i: number): Promise<number> {
  s.client.send({ type: 'lsp-change', file: FILE, version: ++s.version, changes: [change(i)] });
  const r = await complete(s);
  if (!hasPid(r.labels)) throw new Error('a warm completion through the agent lost pid/tgid');
  return r.at - r.sentAt;
}

async function bareWarm(bare: BareClangd, i: number): Promise<number> {
  bare.edit(change(i));
  const t = performance.now();
  const r = await bare.complete(AT);
  if (!hasPid(r.labels)) throw new Error('a warm completion on the bare clangd lost pid/tgid');
  return r.at - t;
}

/** The bare clangd's first completion, asked again until the members come (clangd answers from a word list until its preamble is built). */
async function bareFirst(bare: BareClangd, t0: number): Promise<number> {
  for (;;) {
    const r = await bare.complete(AT);
    if (hasPid(r.labels)) return r.at - t0;
    if (performance.now() - t0 > 120_000) throw new Error('bare clangd never completed task->');
  }
}

// ---- processes ----

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** clangd processes under the agent, with their nice value (the spare runs at 10, a session's at 0). */
function agentClangds(agentPid: number): { pid: number; nice: number }[] {
  const out: { pid: number; nice: number }[] = [];
  const stack = [agentPid];
  while (stack.length) {
    const p = stack.pop()!;
    for (const k of childrenOf(p)) {
      let comm: string;
      try {
        comm = readFileSync(`/proc/${k}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
      if (comm.startsWith('clangd')) {
        const stat = readFileSync(`/proc/${k}/stat`, 'utf8');
        out.push({ pid: k, nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) });
      } else stack.push(k);
    }
  }
  return out;
}

/** Nice of every thread of `pid` (nice is per thread; threads started later inherit the main thread's). */
function renice(pid: number, nice: number): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      setPriority(Number(tid), nice);
    } catch {
      // the thread ended meanwhile
    }
  }
}

function rss(pid: number): { rss: number; anon: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

/** Until a process has used no CPU for two samples in a row (clangd done parsing and indexing). */
async function quiet(pid: number, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  let last = cpuSeconds(pid);
  let still = 0;
  while (still < 2 && Date.now() - t0 < timeoutMs) {
    await sleep(500);
    const now = cpuSeconds(pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

export async function lspFigure(o: LspOptions, agent: BenchAgent): Promise<Table> {
  const vmlinuxDir = dirname((await benchCompiler()).info.vmlinuxHeader);
  const agentPid = agent.child.pid!;
  // The agent runs as a service at nice 0 and raises a session's clangd to 0 (lsp/pool.ts); the bench
  // may have been started niced (shared machine): put both paths at the same priority.
  renice(agentPid, 0);
  // The bare clangd's start alone, before the agent has any clangd.
  const t0 = performance.now();
  const bare = await BareClangd.start(FILE, PROGRAM, vmlinuxDir);
  renice(bare.pid, 0);
  try {
    const bareFirstMs = await bareFirst(bare, t0);
    await quiet(bare.pid);
    // A fresh agent: the first session starts clangd cold (the spare is started after it).
    const cold = await openSession(agent);
    const firsts: number[] = [];
    const sessions: AgentSession[] = [cold];
    for (let i = 0; i < o.sessions; i++) {
      // Wait for the spare to have parsed the prelude, as between two learners joining.
      for (;;) {
        const spare = agentClangds(agentPid).find((c) => c.nice > 0);
        if (spare) {
          await quiet(spare.pid);
          break;
        }
        await sleep(200);
      }
      const s = await openSession(agent);
      firsts.push(s.firstMs);
      sessions.push(s);
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    // Warm: every clangd idle (the spare taken last has been replaced and has parsed its prelude).
    await sleep(4000);
    for (const c of agentClangds(agentPid)) await quiet(c.pid);
    await quiet(bare.pid);
    const held = agentClangds(agentPid).filter((c) => c.nice === 0);
    const cpu0 = { agent: held.reduce((a, c) => a + cpuSeconds(c.pid), 0), bare: cpuSeconds(bare.pid) };
    const warmAll: number[] = [];
    const bareWarmAll: number[] = [];
    const measured = [cold, sessions.at(-1)!];
    for (let i = 0; i < 2 * o.completions; i++) {
      const s = measured[i % 2]!;
      // Alternate who goes first, so neither side always follows the other's diagnostics rebuild.
      if (i % 4 < 2) {
        warmAll.push(await agentWarm(s, Math.floor(i / 2)));
        bareWarmAll.push(await bareWarm(bare, i));
      } else {
        bareWarmAll.push(await bareWarm(bare, i));
        warmAll.push(await agentWarm(s, Math.floor(i / 2)));
      }
    }
    const cpuPer = {
      agent: ((held.reduce((a, c) => a + cpuSeconds(c.pid), 0) - cpu0.agent) * 1000) / warmAll.length,
      bare: ((cpuSeconds(bare.pid) - cpu0.bare) * 1000) / bareWarmAll.length,
    };
    for (const c of held) await quiet(c.pid);
    await quiet(bare.pid);
    const mem = held.map((c) => rss(c.pid));
    const bareMem = rss(bare.pid);
    for (const s of sessions) s.client.close();
    return table({ warmAll, bareWarmAll, cpuPer, firsts, cold, bareFirstMs, mem, bareMem });
  } finally {
    bare.close();
  }
}

function table(r: {
  warmAll: number[];
  bareWarmAll: number[];
  cpuPer: { agent: number; bare: number };
  firsts: number[];
  cold: AgentSession;
  bareFirstMs: number;
  mem: { rss: number; anon: number }[];
  bareMem: { rss: number; anon: number };
}): Table {
  const { warmAll, cold, firsts, mem } = r;
  const bare = { warm: r.bareWarmAll, firstMs: r.bareFirstMs, ...r.bareMem };
  const p95 = percentile(warmAll, 95);
  const bareP95 = percentile(bare.warm, 95);
  const rssMed = median(mem.map((m) => m.rss));
  const anonMed = median(mem.map((m) => m.anon));
  const k = DEFAULT_LIMITS.lspMaxProcesses;
  return {
    title: 'Figure 7 — editor: completion after `task->` and memory per clangd (agent vs bare clangd)',
    head: [
      'measurement',
      'agent (WebSocket → clangd in the sandbox)',
      'bare clangd (stdio, no sandbox)',
      'vs bare',
      'target',
      'met',
    ],
    rows: [
      [
        'warm completion after an edit: p50',
        ms(median(warmAll)),
        ms(median(bare.warm)),
        ratio(median(warmAll), median(bare.warm)),
        '',
        '',
      ],
      [
        'warm completion after an edit: p95',
        ms(p95),
        ms(bareP95),
        ratio(p95, bareP95),
        '≤ 150 ms',
        p95 <= 150 ? 'yes' : 'no',
      ],
      [
        'warm completion after an edit: fastest (a CPU free at once)',
        ms(Math.min(...warmAll)),
        ms(Math.min(...bare.warm)),
        ratio(Math.min(...warmAll), Math.min(...bare.warm)),
        '',
        '',
      ],
      [
        "clangd's CPU per edit + completion (mean, its diagnostics rebuild included)",
        ms(r.cpuPer.agent),
        ms(r.cpuPer.bare),
        ratio(r.cpuPer.agent, r.cpuPer.bare),
        '',
        '',
      ],
      [
        'first completion, new session (spare taken)',
        spread(firsts, ms),
        '',
        '',
        '≤ 1 s',
        median(firsts) <= 1000 ? 'yes' : 'no',
      ],
      [
        'first completion, first session of an agent (cold) / bare clangd from start',
        ms(cold.firstMs),
        ms(bare.firstMs),
        ratio(cold.firstMs, bare.firstMs),
        '',
        '',
      ],
      [
        `resident memory per clangd (${mem.length} sessions' clangd; of it private)`,
        `${mib(rssMed)} (${mib(anonMed)})`,
        `${mib(bare.rss)} (${mib(bare.anon)})`,
        ratio(rssMed, bare.rss),
        '',
        '',
      ],
      [
        `at most ${k} clangd (limits.lspMaxProcesses) × that`,
        `${mib(k * rssMed)} of ${mib(totalmem())}`,
        '',
        '',
        '50 sessions fit',
        k * rssMed < totalmem() / 2 ? 'yes' : 'no',
      ],
    ],
    notes: [
      `completion: the members of task_struct after \`task->\` in a tp/sched_process_exec program (${FILE}); every answer checked to hold pid and tgid`,
      `warm: ${warmAll.length} completions through the agent (two sessions), ${bare.warm.length} on the bare clangd, each right after an edit (a space typed or removed), interleaved agent/bare once every clangd was idle; the agent, its session's clangd and the bare clangd at nice 0`,
      'CPU: user + system time of the clangd processes over the warm completions (/proc/<pid>/stat, 10 ms ticks) divided by their number; what the wall time holds beyond it is waiting for a CPU',
      'new session: lsp-open sent → first completion answered, after the agent’s spare clangd had parsed its prelude; cold: the agent’s first session, no spare yet',
      'bare clangd: /usr/bin/clangd-19 with the compile flags in compile_flags.txt, default options but --limit-results=1000 like the agent’s (clangd’s default 100 cuts task_struct’s members before pid/tgid), spoken to over stdio (fig7-bare-clangd.ts); its first completion, measured alone before the agent has a clangd, is asked again until the members come (it answers from a word list while it builds the preamble)',
      `memory: VmRSS (RssAnon) of each clangd once idle; ~90 MB of the RSS is libLLVM/libclang pages shared by every clangd; the fit compares ${k} × RSS with half the RAM — sessions beyond ${k} editing at once take the least recent one's clangd (lsp/pool.ts)`,
    ],
  };
}
