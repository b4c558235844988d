import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process whose stdout is read line by line, for the bench's C helpers. */
export interface LineProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the first stdout line matching `pred` (or rejects when the process exits first). */
  line(pred?: (l: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
  stderr(): string;
}

export function startLines(cmd: string, args: string[]): LineProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const w = waiters.find((x) => x.pred(l));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(l);
    } else lines.push(l);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    pid: child.pid!,
    stderr: () => err,
    exited,
    line: (pred = () => true, timeoutMs = 30_000) => {
      const i = lines.findIndex(pred);
      if (i >= 0) return Promise.resolve(lines.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${cmd}: no expected line in ${timeoutMs} ms; stderr:\n${err}`)),
          timeoutMs,
        );
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${cmd} exited (${code}) before the expected line; stderr:\n${err}`));
        });
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
