#!/usr/bin/env node
// Runs every program of bench/corpus (libbpf-tools-style: variants per hook, maps the loader sizes,
// libbpf 1.2+ macros) through `bpfplay run` against one agent, and says which produced output.
// A program whose attach kinds this kernel cannot serve at all (fentry/kprobe only, here) is counted
// apart. Prints one line per program and the summary `corpus: N/M ...`; exits 1 unless N = M.
//
//   node bench/corpus/run.mjs [name...]          (after `npx turbo run build`; as root)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const CLI = join(repo, 'apps/agent/dist/cli.js');
const { programs } = JSON.parse(readFileSync(join(here, 'corpus.json'), 'utf8'));
const only = process.argv.slice(2);
const selected = programs.filter((p) => only.length === 0 || only.includes(p.file.replace(/\.bpf\.c$/, '')));
const DURATION = process.env.CORPUS_DURATION ?? '2';

function startAgent() {
  const token = randomBytes(16).toString('hex');
  // The token in the environment: an argument would show in ps.
  const child = spawn(process.execPath, [CLI, 'agent', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BPFPLAY_TOKEN: token },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start in 60 s:\n${out}`)), 60_000);
    const check = (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)\/ws/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], token, child });
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`agent exited with ${code}:\n${out}`)));
  });
}

function runOne(agent, p) {
  const args = [CLI, 'run', join(here, p.file), '--json', '--duration', String(p.duration ?? DURATION)];
  if (p.trigger) args.push('--trigger', p.trigger);
  args.push('--agent', agent.url);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BPFPLAY_TOKEN: agent.token },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Kept for a run that ends without a `stopped` frame: the CLI's own error is the only account of it.
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    child.on('exit', (code) => {
      const messages = stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return undefined;
          }
        })
        .filter(Boolean);
      resolve({ code, messages, stderr });
    });
  });
}

/** What the user would have seen: events, printk lines, iterator text, or a map with something in it. */
function outputOf(messages) {
  const events = messages.filter((m) => m.type === 'events').reduce((n, m) => n + (m.records?.length ?? 0), 0);
  const printk = messages.filter((m) => m.type === 'printk').reduce((n, m) => n + m.lines.length, 0);
  const iter = messages.filter((m) => m.type === 'iter').reduce((n, m) => n + m.text.length, 0);
  const last = messages.filter((m) => m.type === 'maps').at(-1);
  const filled = (last?.maps ?? []).filter((s) => {
    if (s.name.endsWith('.rodata')) return false;
    if (s.render === 'globals') return /[1-9]/.test(JSON.stringify(s.entries.map((e) => e.value)));
    return s.entries.length > 0;
  });
  const stacks = (last?.stacks ?? []).reduce((n, p) => n + p.samples.length, 0);
  const parts = [];
  if (events) parts.push(`${events} events`);
  if (printk) parts.push(`${printk} printk lines`);
  if (iter) parts.push(`${iter} bytes of iterator output`);
  if (filled.length) parts.push(`maps ${filled.map((s) => s.name).join(', ')}`);
  if (stacks) parts.push(`${stacks} stacks`);
  return parts;
}

const agent = await startAgent();
let servable = 0;
let produced = 0;
const notServable = [];
try {
  for (const p of selected) {
    const name = p.file.replace(/\.bpf\.c$/, '');
    const { code, messages, stderr } = await runOne(agent, p);
    const stopped = messages.find((m) => m.type === 'stopped');
    const loaded = messages.find((m) => m.type === 'loaded');
    const warnings = messages.filter((m) => m.type === 'warning').length;
    if (!loaded && stopped?.reason === 'attach-error' && /nothing this kernel can run/.test(stopped.message)) {
      notServable.push(name);
      console.log(`  ${name.padEnd(14)} not servable here: ${stopped.message.split('\n')[1]?.slice(0, 110) ?? ''}`);
      continue;
    }
    servable++;
    const kinds = [...new Set((loaded?.programs ?? []).filter((x) => x.loaded).map((x) => x.kind))].join('+');
    const out = outputOf(messages);
    const ok = out.length > 0 && ['timeout', 'finished', 'user'].includes(stopped?.reason);
    if (ok) produced++;
    if (!stopped)
      console.log(
        `   the CLI exited with ${code} and no stopped frame; its stderr:\n${stderr.trim().replace(/^/gm, '   | ')}`,
      );
    console.log(
      `${ok ? 'ok' : 'NO'} ${name.padEnd(14)} ${(kinds || '-').padEnd(18)} ${warnings} warnings  ${ok ? out.join('; ') : `${stopped?.reason ?? 'no stop'}: ${(stopped?.message ?? '').split('\n')[0].slice(0, 140)}`}`,
    );
  }
} finally {
  agent.child.kill('SIGTERM');
}
console.log(
  `corpus: ${produced}/${servable} programs whose attach kinds this kernel serves produced output` +
    (notServable.length ? ` (${notServable.length} not servable here: ${notServable.join(', ')})` : ''),
);
process.exit(produced === servable ? 0 : 1);
