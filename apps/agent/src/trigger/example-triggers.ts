import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExampleMeta, type ServerPayload } from '@bpfplay/protocol';

/**
 * The gallery's triggers: the shell command each example's meta.json names to make its probes fire
 * (`for i in 1 2 3; do /bin/true; done` for execsnoop). The agent reads them from its own copy of
 * bpf/ at start and runs one only when asked by example name, so what runs is always a command
 * from the repository, never text a client sent.
 */
export function loadTriggers(examplesDir: string, warn: (m: string) => void = () => {}): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(examplesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (e) {
    warn(`no example triggers: cannot read ${examplesDir} (${(e as Error).message})`);
    return out;
  }
  for (const name of names.sort()) {
    try {
      const meta = ExampleMeta.safeParse(JSON.parse(readFileSync(join(examplesDir, name, 'meta.json'), 'utf8')));
      if (meta.success && meta.data.trigger) out.set(name, meta.data.trigger);
    } catch {
      // No meta.json, or not JSON: the gallery reports that; this example simply has no trigger.
    }
  }
  return out;
}

/** The unprivileged user triggers run as: enough for every gallery trigger, and no more. */
const NOBODY = 65534;
const MAX_OUTPUT = 8 * 1024;

export type TriggeredPayload = Extract<ServerPayload, { type: 'triggered' }>;

/**
 * Runs a trigger with `sh -c` as nobody (setpriv, no capabilities, no_new_privs), in /tmp with a
 * plain environment, killed with its whole process group after `seconds`. The probes see it like
 * any other process on the machine: execsnoop shows `true` with uid 65534.
 */
export function runTrigger(example: string, command: string, seconds: number): Promise<TriggeredPayload> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      '/usr/bin/setpriv',
      [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        '--inh-caps=-all',
        '--bounding-set=-all',
        '--no-new-privs',
        '/bin/sh',
        '-c',
        command,
      ],
      {
        cwd: '/tmp',
        env: { PATH: '/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    let cut = false;
    const take = (b: Buffer) => {
      if (output.length >= MAX_OUTPUT) return void (cut = true);
      output += b.toString('utf8');
      if (output.length > MAX_OUTPUT) {
        output = output.slice(0, MAX_OUTPUT);
        cut = true;
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, seconds * 1000);
    const done = (exitCode: number | null, signal: string | null, error?: string) => {
      clearTimeout(timer);
      // Background jobs a trigger left (`sleep 5 &`) go with it.
      killGroup();
      resolve({
        type: 'triggered',
        example,
        command,
        user: `nobody (uid ${NOBODY})`,
        exitCode,
        ...(signal ? { signal } : {}),
        timedOut,
        output: `${error ? `${error}\n` : ''}${output}${cut ? '\n[Truncated]' : ''}`,
        durationMs: performance.now() - t0,
      });
    };
    child.on('error', (e) => done(null, null, `cannot start the trigger: ${e.message}`));
    child.on('close', (code, sig) => done(code, sig));
  });
}
