#!/usr/bin/env node
// `npm run -s bpfplay -- <cmd>`: rebuild the agent bundle when a source is newer than it (esbuild
// takes ~0.2 s), then run the CLI in this process.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const agent = join(repo, 'apps/agent');
const bundle = join(agent, 'dist/cli.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|h|json)$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(
  ...['apps/agent/src', 'packages/protocol/src', 'packages/libbpf/src', 'packages/btf/src', 'packages/share/src'].map(
    (d) => newest(join(repo, d)),
  ),
);
if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
  execFileSync(process.execPath, [join(agent, 'build.mjs')], { stdio: 'inherit' });
}
await import(pathToFileURL(bundle).href);
