#!/usr/bin/env node
// Checks the Dockerfiles without a Docker engine (none runs where bpfplay is developed): the lint
// rules that matter for these images, every COPY source exists in the build context (the repo),
// every COPY --from names an earlier stage, and the command the image starts exists — in the repo,
// or as the output of the package build that the image runs.
//
//   node docker/check-dockerfiles.mjs [Dockerfile...]     exit 1 and one line per problem
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..');

/** Instructions with continuation lines joined and comments dropped; `line` is where each starts. */
export function instructions(text) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let l = lines[i].trim();
    if (!l || l.startsWith('#')) continue;
    while (l.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i].trim();
      l = `${l.slice(0, -1).trim()} ${next.startsWith('#') ? '' : next}`.trim();
    }
    const m = /^(\S+)\s*(.*)$/.exec(l);
    out.push({ op: m[1].toUpperCase(), args: m[2], line: start + 1 });
  }
  return out;
}

/** The program and arguments of an exec-form (JSON) ENTRYPOINT/CMD; undefined for shell form. */
function execForm(args) {
  if (!args.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `--from=x --chown=y src... dest` → { flags, srcs, dest }. */
function copyParts(args) {
  const words = args.split(/\s+/).filter(Boolean);
  const flags = Object.fromEntries(words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).split('=', 2)));
  const paths = words.filter((w) => !w.startsWith('--'));
  return { flags, srcs: paths.slice(0, -1), dest: paths.at(-1) };
}

/** Does some package's build write `file` (a path in the repo under a dist/ folder)? */
function builtBy(root, file) {
  const m = /^(.*?)\/dist\/(.+)$/.exec(file);
  if (!m) return false;
  const [, pkg, out] = m;
  const pj = join(root, pkg, 'package.json');
  if (!existsSync(pj)) return false;
  const scripts = JSON.parse(readFileSync(pj, 'utf8')).scripts ?? {};
  if (!scripts.build) return false;
  // The build scripts of the package (esbuild configs): one of them must name the output's entry.
  const stem = out.replace(/\.(m?js|cjs)$/, '');
  const candidates = [join(root, pkg, 'build.mjs'), join(root, pkg, 'server', 'build.mjs')];
  return candidates.some((f) => existsSync(f) && new RegExp(`\\b${stem}\\s*:`).test(readFileSync(f, 'utf8')));
}

export function checkDockerfile(file, root = repoRoot) {
  const name = relative(root, file);
  const ins = instructions(readFileSync(file, 'utf8'));
  const problems = [];
  const say = (i, msg) => problems.push(`${name}:${i?.line ?? 1}: ${msg}`);
  const stages = new Set();
  // Where each path of the final image came from: image path → repo path (context or a build stage's /src).
  let maps = [];
  let workdir = '/';
  let base = '';
  let user = 'root';
  for (const i of ins) {
    if (i.op === 'FROM') {
      const [image, as, stage] = i.args.split(/\s+/);
      if (!/:[\w.-]+(@sha256:[0-9a-f]{64})?$/.test(image) || /:latest$/.test(image))
        say(i, `FROM ${image}: pin the base image to a version tag`);
      if (as?.toUpperCase() === 'AS' && stage) stages.add(stage);
      maps = [];
      workdir = '/';
      base = image;
      user = 'root';
    } else if (i.op === 'WORKDIR') {
      workdir = posix.resolve(workdir, i.args);
    } else if (i.op === 'USER') {
      user = i.args;
    } else if (i.op === 'RUN') {
      if (/apt-get install/.test(i.args)) {
        if (!/--no-install-recommends/.test(i.args)) say(i, 'apt-get install without --no-install-recommends');
        if (!/apt-get update/.test(i.args)) say(i, 'apt-get install without apt-get update in the same RUN');
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(i.args)) say(i, 'apt lists not removed in the layer that made them');
      }
      if (/\b(curl|wget)\b[^|]*\|\s*(ba)?sh/.test(i.args)) say(i, 'piping a download into a shell');
    } else if (i.op === 'ADD') {
      say(i, 'ADD: use COPY (ADD fetches URLs and unpacks archives implicitly)');
    } else if (i.op === 'COPY') {
      const { flags, srcs, dest } = copyParts(i.args);
      if (flags.from && !stages.has(flags.from)) say(i, `COPY --from=${flags.from}: no such stage before it`);
      for (const src of srcs) {
        if (!flags.from && !existsSync(join(root, src))) say(i, `COPY ${src}: not in the build context (the repo)`);
        const to = posix.resolve(workdir, dest ?? '.');
        const target = srcs.length > 1 || dest?.endsWith('/') ? posix.join(to, posix.basename(src)) : to;
        // A build stage works in /src on a copy of the repo, so /src/x is the repo's x.
        const from = flags.from ? posix.relative('/src', src) : posix.normalize(src);
        maps.push({ image: target, repo: from });
      }
    }
  }
  if (!ins.some((i) => i.op === 'HEALTHCHECK')) say(undefined, 'no HEALTHCHECK');
  const entry = ins.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  const cmd = ins.filter((i) => i.op === 'CMD').at(-1);
  const start = entry ?? cmd;
  if (!start) say(undefined, 'no ENTRYPOINT or CMD');
  for (const i of [entry, cmd].filter(Boolean)) {
    if (!execForm(i.args)) say(i, `${i.op} in shell form: use the JSON form so signals reach the process`);
  }
  const argv = start && execForm(start.args);
  if (argv) {
    const [program, script] = argv;
    if (program !== 'node') say(start, `${start.op} starts ${program}: only node entry points are checked`);
    else if (!/^node:/.test(base)) say(start, `${start.op} runs node on ${base}, which is not a Node image`);
    else if (!script) say(start, `${start.op}: node with no script`);
    else {
      const inImage = posix.resolve(workdir, script);
      const m = maps.filter((x) => inImage === x.image || inImage.startsWith(`${x.image}/`)).at(-1);
      if (!m) say(start, `${start.op} runs ${inImage}, which no COPY puts in the image`);
      else {
        const repoPath = posix.join(m.repo, posix.relative(m.image, inImage));
        if (!existsSync(join(root, repoPath)) && !builtBy(root, repoPath))
          say(start, `${start.op} runs ${repoPath}: neither in the repo nor written by its package's build`);
      }
    }
  }
  return { problems, user };
}

export function dockerfiles(root = repoRoot) {
  return readdirSync(join(root, 'docker'))
    .filter((f) => f.startsWith('Dockerfile'))
    .map((f) => join(root, 'docker', f));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : dockerfiles();
  const problems = files.flatMap((f) => checkDockerfile(f).problems);
  for (const p of problems) console.error(p);
  console.log(`${files.length} Dockerfiles checked: ${problems.length === 0 ? 'ok' : `${problems.length} problems`}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
