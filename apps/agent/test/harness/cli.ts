import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerMessage, type ServerMessage } from '@bpfplay/protocol';
import { CLI } from './agent-process.js';

export interface CliRun {
  code: number | null;
  messages: ServerMessage[];
  stdout: string;
  stderr: string;
}

/** Write snippet files to a temp folder and return their paths (the CLI takes files). */
export function writeSnippet(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-snippet-'));
  return Object.entries(files).map(([name, content]) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  });
}

export interface CliOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `bpfplay ARGS...` as a child process: its exit code and all it printed. A token goes in the
 * environment, as documented (an argument shows in ps).
 */
export function cliOutput(args: string[], token?: string, extraEnv: Record<string, string> = {}): Promise<CliOutput> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(token !== undefined ? { BPFPLAY_TOKEN: token } : {}), ...extraEnv };
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // 'close', not 'exit': the CLI may exit before its last lines have been read from the pipe.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The lines of a `--json` output as server messages: every line must parse as one (that is the
 * CLI's promise), so a line that does not is a test failure, not noise.
 */
export function serverMessages(stdout: string): ServerMessage[] {
  const messages: ServerMessage[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const r = parseServerMessage(line);
    if (!r.ok) throw new Error(`CLI printed a line that is not a server message: ${r.message}\n${line}`);
    messages.push(r.message);
  }
  return messages;
}

/** `bpfplay run FILE... --json` against an agent (or the CLI's own agent when none is given). */
export async function runCli(
  files: string[],
  args: string[],
  agent?: { url: string; token: string },
  extraEnv: Record<string, string> = {},
): Promise<CliRun> {
  const out = await cliOutput(
    ['run', ...files, '--json', ...args, ...(agent ? ['--agent', agent.url] : [])],
    agent?.token,
    extraEnv,
  );
  return { ...out, messages: serverMessages(out.stdout) };
}

export function ofType<T extends ServerMessage['type']>(
  messages: ServerMessage[],
  type: T,
): Extract<ServerMessage, { type: T }>[] {
  return messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
}
