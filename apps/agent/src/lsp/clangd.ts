import { readFile, readdir } from 'node:fs/promises';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { setPriority } from 'node:os';
import { spawnSandboxed } from '../compile/sandbox.js';
import { makeRunDir, removeDir } from '../compile/storage.js';
import type { AgentLimits } from '../limits.js';
import { encodeMessage, type JsonRpcMessage, MessageReader } from './framing.js';
import { clangdArgv, clangdMounts, clangdSandboxLimits } from './layout.js';

/** Largest message clangd may send (a completion list of 100 items is ~50 KB). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** What the agent declares it understands; clangd shapes its answers by it. */
const CLIENT_CAPABILITIES = {
  textDocument: {
    synchronization: { didSave: false },
    completion: {
      completionItem: {
        snippetSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        insertReplaceSupport: false,
      },
      contextSupport: true,
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    signatureHelp: {
      signatureInformation: {
        documentationFormat: ['markdown', 'plaintext'],
        parameterInformation: { labelOffsetSupport: true },
        activeParameterSupport: true,
      },
      contextSupport: true,
    },
    definition: { linkSupport: false },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } },
      isPreferredSupport: true,
    },
    publishDiagnostics: { relatedInformation: false, versionSupport: true, codeDescriptionSupport: false },
  },
  general: { positionEncodings: ['utf-16'] },
};

export interface ClangdOptions {
  configDir: string;
  includeDir: string;
  vmlinuxDir: string;
  limits: AgentLimits;
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: RawDiagnostic[];
}

/** A diagnostic as clangd publishes it (LSP), kept as it came: code actions are asked for with it. */
export interface RawDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

export class LspError extends Error {
  override name = 'LspError';
}

/**
 * One clangd in the compile sandbox, speaking JSON-RPC on its stdin/stdout. It owns a snippet
 * folder (mounted at /src), where the session's headers are written so the main file's
 * `#include "x.h"` finds them; the main file itself is only ever an open document.
 */
export class ClangdProcess {
  readonly srcDir: string;
  /** Resolves with why it ended, once it did. */
  readonly exited: Promise<string>;
  /** The uri's version in clangd: documents open in this process. */
  readonly open = new Map<string, number>();
  onDiagnostics: (d: PublishedDiagnostics) => void = () => {};
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private stderr = '';
  private exitReason: string | undefined;
  readonly ready: Promise<void>;

  private constructor(srcDir: string, o: ClangdOptions) {
    this.srcDir = srcDir;
    this.child = spawnSandboxed({
      argv: clangdArgv(),
      mounts: clangdMounts({ srcDir, configDir: o.configDir, includeDir: o.includeDir, vmlinuxDir: o.vmlinuxDir }),
      cwd: '/src',
      limits: clangdSandboxLimits(o.limits),
    });
    const reader = new MessageReader(
      (m) => this.receive(m),
      (why) => this.end(`clangd sent ${why}`),
      MAX_MESSAGE_BYTES,
    );
    this.child.stdout.on('data', (b: Buffer) => reader.push(b));
    this.child.stderr.on('data', (b: Buffer) => {
      // Only the tail matters (why it ended); clangd logs errors only (--log=error).
      this.stderr = (this.stderr + b.toString('utf8')).slice(-4096);
    });
    this.child.stdin.on('error', () => {});
    let resolveExit!: (why: string) => void;
    this.exited = new Promise((r) => (resolveExit = r));
    this.child.on('error', (e) => this.end(`cannot start clangd: ${e.message}`));
    this.child.on('close', (code, signal) => {
      this.end(describeExit(code, signal, this.stderr));
      resolveExit(this.exitReason!);
      void removeDir(this.srcDir);
    });
    this.ready = this.request('initialize', {
      processId: null,
      rootUri: 'file:///src',
      capabilities: CLIENT_CAPABILITIES,
      initializationOptions: {},
    }).then(() => this.notify('initialized', {}));
    // A failed start is reported by whoever awaits `ready` or a request; not unhandled.
    this.ready.catch(() => {});
  }

  static async start(o: ClangdOptions): Promise<ClangdProcess> {
    return new ClangdProcess(await makeRunDir('readable'), o);
  }

  get alive(): boolean {
    return this.exitReason === undefined;
  }

  /** Sends a request; rejects when clangd answers with an error, ends, or `signal` fires ($/cancelRequest). */
  request<T = unknown>(method: string, params: unknown, signal?: AbortSignal): Promise<T> {
    if (this.exitReason !== undefined) return Promise.reject(new LspError(this.exitReason));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.notify('$/cancelRequest', { id });
        reject(new LspError('cancelled'));
      };
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as T);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.write({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    if (this.exitReason !== undefined) return;
    this.write({ method, params });
  }

  /** The documents' text: didOpen the first time, a whole-text didChange after. */
  sync(uri: string, text: string, version: number): void {
    if (this.open.has(uri)) {
      this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    } else {
      this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
    }
    this.open.set(uri, version);
  }

  close(uri: string): void {
    if (!this.open.delete(uri)) return;
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** Resident memory of clangd itself (not bwrap), from /proc; undefined once it ended. */
  async memory(): Promise<{ rssBytes: number; anonBytes: number; threads: number } | undefined> {
    const pid = await this.clangdPid();
    if (pid === undefined) return undefined;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { rssBytes: kb('VmRSS'), anonBytes: kb('RssAnon'), threads };
  }

  /** clangd's pid: the sandbox is bwrap → bwrap (pid 1 inside) → clangd (setpriv, prlimit, env and nice exec into it). */
  async clangdPid(): Promise<number | undefined> {
    let pids = [this.child.pid];
    for (let depth = 0; depth < 4 && pids.length; depth++) {
      const next: number[] = [];
      for (const p of pids) {
        if (p === undefined) continue;
        const comm = (await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim();
        if (comm.startsWith('clangd')) return p;
        next.push(...(await childrenOf(p)));
      }
      pids = next;
    }
    return undefined;
  }

  /**
   * Sets the nice value of every clangd thread (Linux nice is per thread; threads started later
   * inherit it from the main thread, which is set too). The spare parses at a low priority; a
   * session's clangd answers a typing user at the priority of everything else.
   */
  async setNice(nice: number): Promise<void> {
    const pid = await this.clangdPid();
    if (pid === undefined) return;
    for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
      try {
        setPriority(Number(tid), nice);
      } catch {
        // the thread ended meanwhile
      }
    }
  }

  kill(why = 'stopped by the agent'): void {
    this.end(why);
  }

  private write(msg: object): void {
    this.child.stdin.write(encodeMessage(msg));
  }

  private receive(m: JsonRpcMessage): void {
    if (m.method !== undefined) {
      if (m.id !== undefined && m.id !== null) {
        // clangd asking us something (work-done progress, configuration): nothing to offer.
        this.write({ id: m.id, result: null });
        return;
      }
      if (m.method === 'textDocument/publishDiagnostics') this.onDiagnostics(m.params as PublishedDiagnostics);
      return;
    }
    if (typeof m.id !== 'number') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(new LspError(m.error.message));
    else p.resolve(m.result);
  }

  private end(why: string): void {
    if (this.exitReason === undefined) this.exitReason = why;
    for (const p of this.pending.values()) p.reject(new LspError(this.exitReason));
    this.pending.clear();
    try {
      if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null)
        process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    out.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return out;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  // bwrap reports a child killed by signal n as exit status 128+n.
  const sig = signal ?? (code !== null && code > 128 ? code - 128 : undefined);
  const tail = stderr.trim().split('\n').slice(-2).join(' | ');
  if (sig === 'SIGXCPU' || sig === 24) return 'clangd used up its CPU time and was stopped';
  if (/bad_alloc|Cannot allocate memory|out of memory/i.test(stderr)) return 'clangd ran out of memory and was stopped';
  if (sig !== undefined) return `clangd ended (signal ${sig})${tail ? `: ${tail}` : ''}`;
  return `clangd ended (exit ${code})${tail ? `: ${tail}` : ''}`;
}
