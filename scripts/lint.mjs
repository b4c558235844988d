#!/usr/bin/env node
// Project conventions that the type checker cannot see. Fails on a broken rule; prints long files as
// a note (the style guide says "files under ~400 lines", which is advice, not a rule).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const problems = [];
const notes = [];

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.next') || e.name === 'dist' || e.name.startsWith('.'))
      continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const rel = (p) => relative(repo, p);
const code = ['apps', 'packages', 'e2e', 'bench']
  .flatMap((d) => walk(join(repo, d)))
  .filter((p) => /\.(ts|tsx|mjs|js)$/.test(p));

// The playground must work offline: no CDN in anything that ships.
for (const p of code.filter((p) => !p.includes('/test/'))) {
  const text = readFileSync(p, 'utf8');
  if (/cdn\.jsdelivr|unpkg\.com|cdnjs\./.test(text))
    problems.push(`${rel(p)}: references a CDN; bundle the asset instead`);
}

// Turbopack cannot map `./x.js` to x.ts in packages the web app compiles (vercel/next.js#82945).
for (const pkg of ['packages/protocol/src', 'packages/share/src', 'packages/lessons/src']) {
  for (const p of walk(join(repo, pkg)).filter((f) => f.endsWith('.ts'))) {
    const m = /from '\.{1,2}\/[^']*\.js'/.exec(readFileSync(p, 'utf8'));
    if (m) problems.push(`${rel(p)}: ${m[0]} — import without the extension (the web app's Turbopack build needs it)`);
  }
}

// ESLint reports a directive that suppresses nothing (eslint.config.mjs); this asks each one for its reason.
for (const p of code) {
  for (const [i, line] of readFileSync(p, 'utf8').split('\n').entries())
    if (/eslint-disable/.test(line) && !/eslint-disable[\w-]*\s+\S+.*\s--\s+\S/.test(line))
      problems.push(`${rel(p)}:${i + 1}: an eslint-disable needs its reason after \` -- \``);
}

// A focused or skipped test silently shrinks the suite.
for (const p of code.filter((p) => /\.(test|spec)\.tsx?$/.test(p))) {
  const text = readFileSync(p, 'utf8');
  const m = /\b(it|test|describe)\.(only|skip)\(/.exec(text);
  if (m) problems.push(`${rel(p)}: ${m[0]} — remove it; tests that cannot run must fail with the reason`);
}

function checkBpfSource(path) {
  const src = readFileSync(path, 'utf8');
  if (!/^\/\/ SPDX-License-Identifier: /.test(src))
    problems.push(`${rel(path)}: first line must be the SPDX identifier`);
  if (!/SEC\("license"\)/.test(src)) problems.push(`${rel(path)}: no char LICENSE[] SEC("license")`);
}

// Gallery examples follow libbpf-bootstrap's layout (bpf/<name>/<name>.bpf.c + meta.json); bpf/lessons
// is the lesson track (isExampleFolder in packages/protocol/src/examples.ts).
for (const name of readdirSync(join(repo, 'bpf'))) {
  const dir = join(repo, 'bpf', name);
  if (!statSync(dir).isDirectory() || name === 'lessons') continue;
  const main = join(dir, `${name}.bpf.c`);
  if (!existsSync(main)) {
    problems.push(`bpf/${name}: no ${name}.bpf.c`);
    continue;
  }
  checkBpfSource(main);
  if (!existsSync(join(dir, 'meta.json'))) problems.push(`bpf/${name}: no meta.json`);
}

// Lessons: bpf/lessons/NN-name/ with lesson.md, check.json, starter/ and solution/ (packages/lessons).
for (const name of readdirSync(join(repo, 'bpf/lessons'))) {
  const dir = join(repo, 'bpf/lessons', name);
  if (!statSync(dir).isDirectory()) continue;
  if (!/^\d{2}-[a-z0-9-]+$/.test(name)) problems.push(`bpf/lessons/${name}: lesson folders are named NN-name`);
  for (const f of ['lesson.md', 'check.json', 'starter', 'solution'])
    if (!existsSync(join(dir, f))) problems.push(`bpf/lessons/${name}: no ${f}`);
  for (const sub of ['starter', 'solution']) {
    if (!existsSync(join(dir, sub))) continue;
    for (const f of readdirSync(join(dir, sub)).filter((f) => f.endsWith('.bpf.c'))) checkBpfSource(join(dir, sub, f));
  }
}

// No import cycles (type-only imports included): a module that refers back to its users cannot be
// read, tested or moved on its own (issue 17: AgentContext ↔ run/controller ↔ session).
for (const dir of ['apps/agent/src', 'apps/web/src', 'apps/web/app', 'e2e', 'bench/src'].concat(
  readdirSync(join(repo, 'packages')).map((p) => `packages/${p}/src`),
)) {
  if (!existsSync(join(repo, dir))) continue;
  for (const cycle of importCycles(walk(join(repo, dir)).filter((f) => /\.(ts|tsx)$/.test(f))))
    problems.push(
      `import cycle: ${cycle.map(rel).join(' → ')} → back to the first; move what they share into its own module`,
    );
}

for (const p of code.filter((p) => /\.(ts|tsx)$/.test(p) && !p.includes('/test/') && !p.includes('/specs/'))) {
  const lines = readFileSync(p, 'utf8').split('\n').length;
  if (lines > 450) notes.push(`${rel(p)}: ${lines} lines`);
}

/** Strongly connected groups of files (Tarjan) in the graph of relative imports, each one cycle. */
function importCycles(files) {
  const graph = new Map();
  for (const f of files) {
    const deps = [];
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:import|export)\s[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const base = resolve(dirname(f), m[1]).replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base].find(
        (c) => existsSync(c) && statSync(c).isFile(),
      );
      if (hit) deps.push(hit);
    }
    graph.set(f, deps);
  }
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) cycles.push(group.reverse());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

if (notes.length) console.log(`lint: long files (worth splitting when next touched):\n  ${notes.join('\n  ')}`);
if (problems.length) {
  console.error(`lint: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('lint: ok');
