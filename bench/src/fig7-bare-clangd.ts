import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_FLAGS, DEFAULT_INCLUDE_DIR } from '../../apps/agent/src/compile/toolchain.js';
import { encodeMessage, MessageReader, type JsonRpcMessage } from '../../apps/agent/src/lsp/framing.js';

/**
 * Figure 7's reference: /usr/bin/clangd-19 with clangd's default options (but --limit-results=1000,
 * like the agent's: clangd's default 100 cuts task_struct's members before pid/tgid), the compile's
 * flags in compile_flags.txt, no sandbox, spoken to directly over stdio by the bench.
 */
export class BareClangd {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (m: JsonRpcMessage) => void>();
  private nextId = 1;
  private version = 0;

  private constructor(
    private readonly dir: string,
    readonly uri: string,
  ) {
    this.child = spawn('/usr/bin/clangd-19', ['--log=error', '--limit-results=1000'], {
      stdio: ['pipe', 'pipe', 'ignore'] as never,
    }) as ChildProcessWithoutNullStreams;
    const reader = new MessageReader(
      (m) => {
        if (typeof m.id === 'number' && m.method === undefined) this.pending.get(m.id)?.(m);
        else if (m.id !== undefined && m.method !== undefined) this.write({ id: m.id, result: null });
      },
      (e) => {
        throw new Error(`bare clangd sent ${e}`);
      },
      64 << 20,
    );
    this.child.stdout.on('data', (b: Buffer) => reader.push(b));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts clangd on `program` (as FILE) and opens it; the preamble is built in the background. */
  static async start(file: string, program: string, vmlinuxDir: string): Promise<BareClangd> {
    const dir = mkdtempSync(join(tmpdir(), 'bpfplay-bench-clangd-'));
    const flags = BASE_FLAGS.map((f) =>
      f === '-I/bpfplay/include' ? `-I${DEFAULT_INCLUDE_DIR}` : f === '-I/bpfplay/gen' ? `-I${vmlinuxDir}` : f,
    );
    writeFileSync(join(dir, 'compile_flags.txt'), [...flags, '-xc'].join('\n'));
    const path = join(dir, file);
    writeFileSync(path, program);
    const c = new BareClangd(dir, `file://${path}`);
    await c.request('initialize', {
      processId: process.pid,
      rootUri: `file://${dir}`,
      capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
    });
    c.notify('initialized', {});
    c.notify('textDocument/didOpen', { textDocument: { uri: c.uri, languageId: 'c', version: 0, text: program } });
    return c;
  }

  /** Completion at `at` as the editor asks after typing `>`: the labels, and when the answer came. */
  async complete(at: { line: number; character: number }): Promise<{ labels: string[]; at: number }> {
    const { m, at: t } = await this.request('textDocument/completion', {
      textDocument: { uri: this.uri },
      position: at,
      context: { triggerKind: 2, triggerCharacter: '>' },
    });
    const items = (m.result as { items?: { label: string }[] } | null)?.items ?? [];
    return { labels: items.map((i) => i.label.trim()), at: t };
  }

  /** An LSP content change, the same one the agent's sessions get. */
  edit(change: object): void {
    this.notify('textDocument/didChange', {
      textDocument: { uri: this.uri, version: ++this.version },
      contentChanges: [change],
    });
  }

  close(): void {
    this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private request(method: string, params: unknown): Promise<{ m: JsonRpcMessage; at: number }> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, (m) => {
        this.pending.delete(id);
        resolve({ m, at: performance.now() });
      });
      this.write({ id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.write({ method, params });
  }

  private write(msg: object): void {
    this.child.stdin.write(encodeMessage(msg));
  }
}
