import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { projectFileBytes, type ProjectMessage } from '@bpfplay/protocol';
import { tarFiles, zipFiles } from '@bpfplay/share';
import { AGENT_OPTIONS, agentTarget, paramsOption } from './agent-target.js';
import { runOnAgent } from './run-client.js';
import { fail, readSnippet } from './snippet-files.js';
import { TOKEN_USAGE } from './token-source.js';

export const EXPORT_USAGE = `  bpfplay export FILE... --out DIR [--format dir|tar|zip|o] [--param NAME=VALUE]... [--main FILE]
              [--agent URL] ${TOKEN_USAGE}
              (a libbpf-bootstrap project: FILE as <name>.bpf.c, a generated loader <name>.c, Makefile, README;
               tar/zip: DIR/<name>.tar|zip; o: DIR/<name>.bpf.o, the object the playground compiled)`;

const FORMATS = ['dir', 'tar', 'zip', 'o'] as const;
type Format = (typeof FORMATS)[number];

/** Where each format writes, relative to --out. */
export function writeProject(p: ProjectMessage, out: string, format: Format): string[] {
  mkdirSync(out, { recursive: true });
  const entries = p.files.map((f) => ({ name: f.path, content: projectFileBytes(f) }));
  switch (format) {
    case 'dir': {
      const root = join(out, p.name);
      for (const f of p.files) {
        const path = join(root, f.path);
        // ProjectFile paths never climb (protocol schema); checked again where bytes hit the disk.
        if (!resolve(path).startsWith(resolve(root))) throw new Error(`refusing ${f.path}: outside the project`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, projectFileBytes(f), { mode: f.mode ?? 0o644 });
      }
      return [root];
    }
    case 'tar': {
      const path = join(out, `${p.name}.tar`);
      writeFileSync(path, tarFiles(entries, { folder: p.name }));
      return [path];
    }
    case 'zip': {
      const path = join(out, `${p.name}.zip`);
      writeFileSync(path, zipFiles(entries, { folder: p.name }));
      return [path];
    }
    case 'o': {
      const path = join(out, `${p.name}.bpf.o`);
      writeFileSync(path, Buffer.from(p.object, 'base64'));
      return [path];
    }
  }
}

export async function exportCommand(args: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      format: { type: 'string', default: 'dir' },
      param: { type: 'string', multiple: true },
      main: { type: 'string' },
      ...AGENT_OPTIONS,
    },
  });
  if (!values.out) fail(`--out DIR is required\n${usage}`);
  const format = values.format as Format;
  if (!FORMATS.includes(format)) fail(`--format is one of ${FORMATS.join(', ')}, not "${values.format}"`);
  const snippet = readSnippet(positionals, values.main, usage);
  const agent = await agentTarget(values);
  let project: ProjectMessage | undefined;
  const outcome = await runOnAgent({
    agentUrl: agent.agentUrl,
    token: agent.token,
    snippet,
    options: { mode: 'export', ...paramsOption(values.param) },
    json: false,
    quiet: true,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    onMessage: (m) => {
      if (m.type === 'project') project = m;
    },
  });
  await agent.close();
  if (!project) {
    if (outcome.exitCode === 0)
      process.stderr.write('bpfplay: the agent sent no project (an agent older than export?)\n');
    return outcome.exitCode || 1;
  }
  for (const n of project.notes) process.stderr.write(`note: ${n}\n`);
  for (const path of writeProject(project, values.out, format)) process.stdout.write(`${path}\n`);
  return 0;
}
