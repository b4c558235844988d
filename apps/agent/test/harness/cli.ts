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

/**
 * `bpfplay run FILE... --json` against an agent; every stdout line must parse as a server message
 * (that is the CLI's promise), so a line that does not is a test failure, not noise.
 */
export function runCli(
  files: string[],
  args: string[],
  agent?: { url: string; token: string },
  extraEnv: Record<string, string> = {},
): Promise<CliRun> {
  const argv = [CLI, 'run', ...files, '--json', ...args, ...(agent ? ['--agent', agent.url] : [])];
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(agent ? { BPFPLAY_TOKEN: agent.token } : {}), ...extraEnv };
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // 'close', not 'exit': the CLI may exit before its last lines have been read from the pipe.
    child.on('close', (code) => {
      const messages: ServerMessage[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.trim()) continue;
        const r = parseServerMessage(line);
        if (!r.ok) return reject(new Error(`CLI printed a line that is not a server message: ${r.message}\n${line}`));
        messages.push(r.message);
      }
      resolve({ code, messages, stdout, stderr });
    });
  });
}

export function ofType<T extends ServerMessage['type']>(
  messages: ServerMessage[],
  type: T,
): Extract<ServerMessage, { type: T }>[] {
  return messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
}
