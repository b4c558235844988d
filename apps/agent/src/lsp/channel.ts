import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LspChangeMessage,
  type LspRequest,
  type LspResult,
  mainFileOf,
  type ServerPayload,
  type Snippet,
} from '@bpfplay/protocol';
import type { Btf } from '@bpfplay/btf';
import type { AgentLimits } from '../limits.js';
import { RUN_FILE_MODE } from '../compile/storage.js';
import { type ClangdProcess, LspError, type RawDiagnostic } from './clangd.js';
import {
  codeActionResult,
  capCompletion,
  completionResult,
  definitionResult,
  diagnostic,
  hoverResult,
  overlaps,
  signatureResult,
} from './convert.js';
import { Documents, isSource, linePrefix, offsetAt } from './documents.js';
import { calleeAt, enrichHover, enrichSignature } from './helper-docs.js';
import { enrichMemberHover } from './member-layout.js';
import { readHeader } from './headers.js';
import type { ClangdPool, PoolOwner } from './pool.js';
import type { SecCatalog } from './sec-names.js';

export interface LspChannelDeps {
  pool: ClangdPool;
  /** This kernel's BTF (member offsets and sizes in hovers). */
  vmlinux(): Btf;
  catalog: SecCatalog;
  limits: AgentLimits;
  dirs: { vmlinuxDir: string; includeDir: string };
  send(p: ServerPayload): void;
}

/** After an edit of a header, how long until the main file is parsed again with it. */
const HEADER_SETTLE_MS = 400;

/**
 * A session's editor channel: the session's documents, its clangd (from the pool, started at the
 * first lsp-open and again after it was stopped), and the requests of the editor. clangd sees
 * the main file under a fixed name (layout.ts) and the other files in its /src folder, where they
 * are written so `#include "x.h"` finds them; a header the user edits is also opened in clangd
 * (for completion in it), parsed with vmlinux.h first.
 */
export class LspChannel implements PoolOwner {
  private readonly docs = new Documents();
  private proc: ClangdProcess | undefined;
  private acquiring: Promise<ClangdProcess> | undefined;
  /** Non-main files open in clangd (the user edited or asked about them). */
  private readonly opened = new Set<string>();
  /** clangd's version of a uri = our version + offset (a taken spare already used low versions). */
  private readonly offsets = new Map<string, number>();
  private readonly raw = new Map<string, RawDiagnostic[]>();
  private readonly inflight = new Map<number, AbortController>();
  private settle: NodeJS.Timeout | undefined;
  private announcedReady = false;
  private closed = false;

  constructor(private readonly deps: LspChannelDeps) {}

  open(snippet: Snippet): void {
    const main = mainFileOf(snippet.files, snippet.main);
    if (main === undefined) return; // Snippet's schema already refused this
    this.docs.reset(snippet.files, main);
    this.opened.clear();
    const proc = this.proc;
    if (!proc?.alive) return void this.ensure().catch(() => {});
    // Files no longer in the snippet are closed; the main file's uri stays whatever its name.
    for (const uri of [...proc.open.keys()])
      if (!this.docs.fileOf(uri) || this.docs.fileOf(uri)?.header) proc.close(uri);
    void this.syncAll(proc);
  }

  change(m: LspChangeMessage): void {
    this.docs.change(m.file, m.version, m.changes);
    const proc = this.proc;
    if (!proc?.alive) return void this.ensure().catch(() => {});
    this.deps.pool.touch(proc);
    const isMain = m.file === this.docs.main;
    if (!isMain) {
      void this.writeFiles(proc, [m.file]);
      this.opened.add(m.file);
      this.scheduleMainReparse(proc);
    }
    const uri = this.docs.uriOf(m.file);
    const offset = this.offsets.get(uri);
    if (offset !== undefined && proc.open.has(uri)) {
      // The changes as they came: clangd has exactly the text they apply to.
      proc.notify('textDocument/didChange', {
        textDocument: { uri, version: m.version + offset },
        contentChanges: m.changes,
      });
      proc.open.set(uri, m.version + offset);
    } else this.syncDoc(proc, m.file);
  }

  request(id: number, req: LspRequest): void {
    if (this.inflight.size >= this.deps.limits.lspMaxPendingRequests) {
      return this.deps.send({
        type: 'lsp-response',
        id,
        error: `busy: ${this.inflight.size} editor requests are still waiting; try again`,
      });
    }
    const ctl = new AbortController();
    this.inflight.set(id, ctl);
    const ms = this.deps.limits.lspRequestTimeoutMs;
    const timeout = setTimeout(() => ctl.abort(new LspError(`clangd did not answer within ${ms} ms`)), ms);
    void this.answer(req, ctl.signal)
      .then(
        (result) => ({ result }),
        (e: Error) => ({ error: ctl.signal.reason instanceof Error ? ctl.signal.reason.message : e.message }),
      )
      .then((r) => {
        clearTimeout(timeout);
        // Cancelled by the editor (lsp-cancel): it no longer waits for an answer.
        if (this.inflight.get(id) !== ctl) return;
        this.inflight.delete(id);
        if (!this.closed) this.deps.send({ type: 'lsp-response', id, ...r });
      });
  }

  cancel(id: number): void {
    const ctl = this.inflight.get(id);
    this.inflight.delete(id);
    ctl?.abort(new LspError('cancelled'));
  }

  /** The pool took the process (idle, given to another session, or it ended). */
  stopped(why: string): void {
    this.proc = undefined;
    this.announcedReady = false;
    this.offsets.clear();
    if (!this.closed) this.deps.send({ type: 'lsp-status', state: 'stopped', message: why });
  }

  close(): void {
    this.closed = true;
    if (this.settle) clearTimeout(this.settle);
    for (const c of this.inflight.values()) c.abort(new LspError('the session ended'));
    this.inflight.clear();
    const proc = this.proc;
    this.proc = undefined;
    if (proc) this.deps.pool.release(proc);
  }

  private async answer(req: LspRequest, signal: AbortSignal): Promise<LspResult> {
    if (req.method === 'header') {
      const r = await readHeader(req.path, this.deps.dirs);
      if ('error' in r) throw new LspError(r.error);
      return { method: 'header', path: req.path, text: r.text };
    }
    const doc = this.docs.get(req.file);
    if (!doc) throw new LspError(`${req.file} is not an open document (send lsp-open first)`);
    if (req.method === 'completion') {
      const sec = this.deps.catalog.complete(linePrefix(doc.text, req.position), req.position);
      if (sec) return { method: 'completion', ...sec };
    }
    const proc = await this.ensure();
    this.deps.pool.touch(proc);
    const uri = this.docs.uriOf(req.file);
    if (!proc.open.has(uri)) {
      this.opened.add(req.file);
      this.syncDoc(proc, req.file);
    }
    const textDocument = { uri };
    switch (req.method) {
      case 'completion': {
        return capCompletion(
          completionResult(
            await proc.request(
              'textDocument/completion',
              {
                textDocument,
                position: req.position,
                context: req.trigger ? { triggerKind: 2, triggerCharacter: req.trigger } : { triggerKind: 1 },
              },
              signal,
            ),
          ),
          linePrefix(doc.text, req.position),
        );
      }
      case 'hover':
        return enrichMemberHover(
          enrichHover(
            hoverResult(await proc.request('textDocument/hover', { textDocument, position: req.position }, signal)),
          ),
          this.deps.vmlinux,
        );
      case 'signatureHelp':
        return enrichSignature(
          signatureResult(
            await proc.request(
              'textDocument/signatureHelp',
              {
                textDocument,
                position: req.position,
                context: req.trigger
                  ? { triggerKind: 2, triggerCharacter: req.trigger, isRetrigger: false }
                  : { triggerKind: 1, isRetrigger: false },
              },
              signal,
            ),
          ),
          calleeAt(doc.text.slice(0, offsetAt(doc.text, req.position) ?? 0)),
        );
      case 'definition':
        return definitionResult(
          await proc.request('textDocument/definition', { textDocument, position: req.position }, signal),
          this.docs,
        );
      case 'codeAction': {
        const diagnostics = (this.raw.get(uri) ?? []).filter((d) => overlaps(d.range, req.range));
        return codeActionResult(
          await proc.request(
            'textDocument/codeAction',
            { textDocument, range: req.range, context: { diagnostics, only: ['quickfix'] } },
            signal,
          ),
          this.docs,
        );
      }
    }
  }

  /** This session's clangd, started (or taken from the pool's spare) if it has none. */
  private ensure(): Promise<ClangdProcess> {
    if (this.proc?.alive) return Promise.resolve(this.proc);
    if (this.closed) return Promise.reject(new LspError('the session ended'));
    this.acquiring ??= (async () => {
      try {
        const { proc, warm } = await this.deps.pool.acquire(this);
        if (this.closed) {
          this.deps.pool.release(proc);
          throw new LspError('the session ended');
        }
        this.proc = proc;
        this.offsets.clear();
        this.raw.clear();
        proc.onDiagnostics = (d) => this.diagnostics(proc, d);
        this.deps.send({ type: 'lsp-status', state: warm ? 'ready' : 'starting' });
        this.announcedReady = warm;
        await proc.ready;
        await this.syncAll(proc);
        return proc;
      } catch (e) {
        const why = (e as Error).message;
        if (!this.closed) this.deps.send({ type: 'lsp-status', state: 'unavailable', message: why });
        throw e;
      } finally {
        this.acquiring = undefined;
      }
    })();
    return this.acquiring;
  }

  private async syncAll(proc: ClangdProcess): Promise<void> {
    const others = this.docs.names().filter((n) => n !== this.docs.main);
    await this.writeFiles(proc, others);
    if (this.docs.main !== undefined) this.syncDoc(proc, this.docs.main);
    for (const n of others) if (this.opened.has(n)) this.syncDoc(proc, n);
  }

  /** Gives clangd a document's whole text (open, or replace). */
  private syncDoc(proc: ClangdProcess, name: string): void {
    const doc = this.docs.get(name);
    if (!doc || !isSource(name)) return;
    const uri = this.docs.uriOf(name);
    // clangd's versions only grow; ours start again at 0 with each lsp-open.
    const offset = (proc.open.get(uri) ?? -1) + 1 - doc.version;
    this.offsets.set(uri, offset);
    proc.sync(uri, doc.text, doc.version + offset);
  }

  /** Headers and other files go to clangd's /src folder, where `#include "x.h"` looks. */
  private async writeFiles(proc: ClangdProcess, names: string[]): Promise<void> {
    for (const n of names) {
      const doc = this.docs.get(n);
      if (doc) await writeFile(join(proc.srcDir, n), doc.text, { mode: RUN_FILE_MODE }).catch(() => {});
    }
  }

  /** clangd re-reads a header only when a file including it is parsed again: nudge the main file. */
  private scheduleMainReparse(proc: ClangdProcess): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = undefined;
      if (this.proc === proc && proc.alive && this.docs.main !== undefined) this.syncDoc(proc, this.docs.main);
    }, HEADER_SETTLE_MS);
  }

  private diagnostics(proc: ClangdProcess, d: { uri: string; version?: number; diagnostics: RawDiagnostic[] }): void {
    if (proc !== this.proc || this.closed) return;
    const f = this.docs.fileOf(d.uri);
    if (!f || f.header) return;
    const offset = this.offsets.get(d.uri) ?? 0;
    const version = d.version !== undefined ? d.version - offset : undefined;
    // Diagnostics of text from before this session had the process (the spare's prelude).
    if (version !== undefined && version < 0) return;
    this.raw.set(d.uri, d.diagnostics);
    if (!this.announcedReady) {
      this.announcedReady = true;
      this.deps.send({ type: 'lsp-status', state: 'ready' });
    }
    this.deps.send({
      type: 'lsp-diagnostics',
      file: f.file,
      ...(version !== undefined ? { version } : {}),
      diagnostics: d.diagnostics.map(diagnostic),
    });
  }
}
